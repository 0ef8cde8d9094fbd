// The slash-command picker of the composer: typing "/" lists the space's commands
// (GET /api/v1/spaces/{id}/commands: name, description, bot), filtered as the person types. The
// composer stays a textbox and drives a listbox (aria-autocomplete="list", aria-controls,
// aria-activedescendant): ArrowUp/ArrowDown move, Enter or Tab choose, Escape closes. Choosing a
// command opens a small form of its typed options (choices as a select, required ones marked),
// checked in the page, then POST /api/v1/channels/{channelId}/commands/{commandId}; a 400
// validation_error is shown next to the option it names.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Api, ApiError, enc } from './api';
import { interactionsOf, spaceChoices, useSpace } from './bots';
import type { Bus, Channel } from './shell';

export interface CommandOption {
  name: string; description: string; type: number | string; required?: boolean | null;
  choices?: { name: string; value: string | number }[] | null;
}
export interface Command {
  commandId: string; appId: string; botUserId?: string; name: string; description: string;
  options: CommandOption[] | null;
}

const TYPES = ['string', 'integer', 'boolean', 'user', 'channel', 'role', 'number'];
function typeOf(t: number | string): string {
  if (typeof t === 'number') return TYPES[t] ?? 'string';
  return TYPES.find((x) => x === String(t).toLowerCase()) ?? 'string';
}

/** What is wrong with an option's typed value, or ''. */
export function optionError(o: CommandOption, v: string): string {
  if (v === '') return o.required ? 'This option is required.' : '';
  const t = typeOf(o.type);
  if (t === 'integer' && !/^-?\d+$/.test(v.trim())) return 'A whole number, please.';
  if (t === 'number' && (v.trim() === '' || !Number.isFinite(Number(v)))) return 'A number, please.';
  return '';
}

function typed(o: CommandOption, v: string): string | number | boolean {
  const t = typeOf(o.type);
  if (t === 'boolean') return v === 'true';
  if (t === 'number') return Number(v);
  if (t === 'integer') return Number.isSafeInteger(Number(v)) ? Number(v) : v.trim();  // big: as a string
  return v;
}

export function useCommandPicker({ api, bus, channel, names, draft, setDraft, focusComposer }: {
  api: Api; bus: Bus; channel: Channel; names: Map<string, string>; draft: string;
  setDraft: (text: string) => void; focusComposer: () => void;
}) {
  const [commands, setCommands] = useState<Command[] | null>(null);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState<string | null>(null);  // the draft Escape closed it on
  const [chosen, setChosen] = useState<Command | null>(null);
  const match = /^\/(\S*)$/.exec(draft);
  const typing = !!match;
  const query = (match?.[1] ?? '').toLowerCase();

  // Read the list each time the person starts a command (bots come and go).
  useEffect(() => {
    if (!typing) return;
    let live = true;
    api.get<{ commands: Command[] }>(`/api/v1/spaces/${enc(channel.spaceId)}/commands`)
      .then((r) => live && setCommands(r.commands)).catch(() => live && setCommands([]));
    return () => { live = false; };
  }, [typing, channel.spaceId]);

  const list = (commands ?? [])
    .filter((c) => c.name.toLowerCase().includes(query))
    .sort((a, b) => Number(!a.name.toLowerCase().startsWith(query)) - Number(!b.name.toLowerCase().startsWith(query)));
  const open = typing && dismissed !== draft && commands !== null;
  const at = Math.min(active, Math.max(0, list.length - 1));
  useEffect(() => setActive(0), [query]);
  const botName = (c: Command) => (c.botUserId && names.get(c.botUserId)) || 'a bot';
  const listId = `command-list-${channel.channelId}`;
  const optionId = (i: number) => `${listId}-${i}`;

  const choose = (c: Command) => {
    setDraft('');
    setChosen(c);
  };

  const onKeyDown = (e: KeyboardEvent): boolean => {
    if (!open || e.isComposing) return false;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (list.length) setActive((at + (e.key === 'ArrowDown' ? 1 : list.length - 1)) % list.length);
      return true;
    }
    if ((e.key === 'Enter' && !e.shiftKey) || e.key === 'Tab') {
      if (!list.length) return false;
      e.preventDefault();
      choose(list[at]);
      return true;
    }
    if (e.key === 'Escape') {
      e.preventDefault();
      setDismissed(draft);
      return true;
    }
    return false;
  };

  const inputProps = {
    'aria-autocomplete': 'list' as const,
    'aria-controls': open ? listId : undefined,
    'aria-activedescendant': open && list.length ? optionId(at) : undefined,
    'aria-describedby': open ? `${listId}-help` : undefined,
  };

  let view: ComponentChildren = null;
  if (chosen) {
    view = <CommandForm key={chosen.commandId} api={api} bus={bus} channel={channel} command={chosen}
      botName={botName(chosen)} onDone={() => { setChosen(null); focusComposer(); }} />;
  } else if (open) {
    view = (
      <div class="command-picker">
        <p class="hint" id={`${listId}-help`}>
          {list.length ? 'Commands: ↑ ↓ to move, Enter to choose, Escape to close' : 'No command matches.'}
        </p>
        <ul role="listbox" id={listId} aria-label="Commands">
          {list.map((c, i) => (
            <li role="option" id={optionId(i)} key={c.commandId} aria-selected={i === at}
              onMouseDown={(e) => e.preventDefault()} onClick={() => choose(c)}>
              <span class="command-name">/{c.name}</span> <span class="command-desc">{c.description}</span>
              <span class="hint command-bot"> — {botName(c)}</span>
            </li>
          ))}
        </ul>
      </div>
    );
  }
  return { onKeyDown, inputProps, view };
}

function CommandForm({ api, bus, channel, command, botName, onDone }: {
  api: Api; bus: Bus; channel: Channel; command: Command; botName: string; onDone: () => void;
}) {
  const options = command.options ?? [];
  const detail = useSpace(api, options.some((o) => ['user', 'channel', 'role'].includes(typeOf(o.type))) ? channel.spaceId : '');
  const [values, setValues] = useState<string[]>(() => options.map(() => ''));
  const [errors, setErrors] = useState<string[]>([]);
  const [formError, setFormError] = useState('');
  const [busy, setBusy] = useState(false);
  const firstRef = useRef<HTMLElement | null>(null);
  const formId = `command-${command.commandId}`;

  const run = async (e?: Event) => {
    e?.preventDefault();
    const found = options.map((o, i) => optionError(o, values[i]));
    setErrors(found);
    setFormError('');
    if (found.some(Boolean)) return;
    const sent: { name: string; value: string | number | boolean }[] = [];
    options.forEach((o, i) => { if (values[i] !== '') sent.push({ name: o.name, value: typed(o, values[i]) }); });
    setBusy(true);
    const tracker = interactionsOf(bus);
    const key = tracker.start({ channelId: channel.channelId, spaceId: channel.spaceId, botUserId: command.botUserId, botName });
    try {
      const r = await api.post<{ interactionId: string }>(
        `/api/v1/channels/${enc(channel.channelId)}/commands/${enc(command.commandId)}`, { options: sent });
      tracker.started(key, String(r.interactionId));
      onDone();
    } catch (err) {
      tracker.drop(key);
      setBusy(false);
      const message = err instanceof ApiError ? err.message : 'The command was not sent.';
      // "options[i]…" names a sent option; "required option 'x'" names one by name.
      const byIndex = /options\[(\d+)\]/.exec(message);
      const byName = /option '([^']+)'/.exec(message);
      const name = byIndex ? sent[Number(byIndex[1])]?.name : byName?.[1];
      const at = name ? options.findIndex((o) => o.name.toLowerCase() === name.toLowerCase()) : -1;
      if (at >= 0) setErrors(options.map((_, i) => (i === at ? message : '')));
      else setFormError(message);
    }
  };

  // A command without options runs at once.
  useEffect(() => {
    if (options.length === 0) void run();
    else firstRef.current?.focus();
  }, []);

  const set = (i: number, v: string) => {
    setValues((now) => now.map((x, j) => (j === i ? v : x)));
    if (errors[i]) setErrors((now) => now.map((x, j) => (j === i ? '' : x)));
  };

  return (
    <form class="command-form" aria-label={`/${command.name}`} noValidate onSubmit={run}
      onKeyDown={(e) => { if (e.key === 'Escape') { e.preventDefault(); onDone(); } }}>
      <p class="command-title"><span class="command-name">/{command.name}</span> <span class="hint">{command.description} — {botName}</span></p>
      {options.map((o, i) => {
        const id = `${formId}-${o.name}`;
        const err = errors[i];
        const t = typeOf(o.type);
        const describedBy = [`${id}-desc`, err ? `${id}-error` : ''].filter(Boolean).join(' ');
        const common = {
          id, name: o.name, 'aria-describedby': describedBy, 'aria-invalid': err ? true : undefined,
          'aria-required': o.required ? true : undefined,
          ref: i === 0 ? (el: HTMLElement | null) => { firstRef.current = el; } : undefined,
        };
        let field;
        const pickFrom = (items: { value: string; label: string }[]) => (
          <select {...common} value={values[i]} onChange={(e) => set(i, e.currentTarget.value)}>
            <option value="">{o.required ? 'Choose…' : '(none)'}</option>
            {items.map((x) => <option key={x.value} value={x.value}>{x.label}</option>)}
          </select>
        );
        if (o.choices && o.choices.length) field = pickFrom(o.choices.map((c) => ({ value: String(c.value), label: c.name })));
        else if (t === 'boolean') field = pickFrom([{ value: 'true', label: 'Yes' }, { value: 'false', label: 'No' }]);
        else if (t === 'user' || t === 'channel' || t === 'role') {
          field = pickFrom(spaceChoices(t === 'user' ? 'userSelect' : t === 'channel' ? 'channelSelect' : 'archetypeSelect', detail));
        } else {
          field = <input {...common} type="text" inputMode={t === 'integer' ? 'numeric' : t === 'number' ? 'decimal' : undefined}
            maxLength={4000} value={values[i]} onInput={(e) => set(i, e.currentTarget.value)} />;
        }
        return (
          <div class="field" key={o.name}>
            <label for={id}>{o.name}{o.required && <span class="required" aria-hidden="true"> *</span>}
              <span class="hint"> ({t}{o.required ? ', required' : ''})</span></label>
            {field}
            <span class="hint" id={`${id}-desc`}>{o.description}</span>
            {err && <span class="error field-error" id={`${id}-error`}>{err}</span>}
          </div>
        );
      })}
      {formError && <p class="error" role="alert">{formError}</p>}
      <div class="actions">
        <button type="submit" class="primary small" disabled={busy}>Run /{command.name}</button>
        <button type="button" class="small" onClick={onDone}>Cancel</button>
      </div>
    </form>
  );
}
