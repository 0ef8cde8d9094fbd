// A bot message's controls (SPEC.md §8, docs/client-api.md "Commands and interactions"): rows of
// buttons or one select each. Callback buttons POST …/controls/{id}; link buttons are plain links
// (no interaction); disabled ones show but do nothing. Selects offer the control's options (string
// select) or the space's members, archetypes or text channels, honour minValues/maxValues, and
// POST …/selects/{customId}. A control with requiredArchetypeId the person does not hold keeps
// working but says which role it needs: the server decides (owners and ManageServer holders pass,
// and the page's copy of the roles may be stale) and its 403 archetype_required is shown.
import { useRef, useState } from 'preact/hooks';
import { Api, ApiError, enc } from './api';
import { CONTROL_KINDS, Choice, interactionsOf, kindOf, spaceChoices, useSpace } from './bots';
import { allowed } from './shell';
import type { Bus, Channel, SpaceDetail } from './shell';
import type { Session } from './session';

export interface Control {
  type: number | string;
  variant?: number | string | null;
  label?: string | null;
  labelLocalizations?: Record<string, string> | null;
  id?: string | null;
  url?: string | null;
  colour?: { l: number; c: number; h: number } | null;
  disabled?: boolean | null;
  customId?: string | null;
  placeholder?: string | null;
  minValues?: number | null;
  maxValues?: number | null;
  options?: { label: string; value: string; description?: string | null; default?: boolean | null }[] | null;
  requiredArchetypeId?: string | null;
}
export interface ControlRow { controls: Control[] }

/** The rows of a message's `controls` (null, [], or rows as objects or bare arrays). */
export function controlRows(value: unknown): ControlRow[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return value.map((r: any) => ({ controls: Array.isArray(r) ? r : Array.isArray(r?.controls) ? r.controls : [] }));
}

function label(c: Control): string {
  const loc = c.labelLocalizations;
  if (loc) {
    for (const tag of navigator.languages ?? [navigator.language]) {
      if (loc[tag]) return loc[tag];
      const base = tag.split('-')[0];
      if (loc[base]) return loc[base];
    }
  }
  return c.label ?? '';
}

function safeUrl(url: string | null | undefined): string | null {
  try {
    const u = new URL(String(url));
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}

// An OKLCH accent: hue and chroma from the bot, lightness from the theme (app.css).
function accent(c: Control) {
  const col = c.colour;
  if (!col || !Number.isFinite(col.c) || !Number.isFinite(col.h)) return undefined;
  return { '--bot-c': String(col.c), '--bot-h': String(col.h) } as Record<string, string>;
}

export function MessageControls({ api, bus, channel, session, messageId, rows, botUserId, botName }: {
  api: Api; bus: Bus; channel: Channel; session: Session; messageId: string; rows: ControlRow[];
  botUserId: string; botName: string;
}) {
  const detail = useSpace(api, channel.spaceId);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const errorId = `controls-error-${messageId}`;

  const roleName = (id: string) =>
    (detail?.archetypes.find((a) => a.archetypeId === id) as any)?.name ?? 'another';
  const lacks = (id: string | null | undefined) => {
    if (!id || !detail) return false;
    if (allowed(detail, session.userId, 0n)) return false;  // the owner and ManageServer pass
    const me = detail.members.find((m) => m.userId === session.userId);
    return !(me?.archetypeIds ?? []).includes(id);
  };

  // Every interaction: "Sending…", then the server's answer; the rest comes from the feed.
  const interact = async (what: string, path: string, body?: unknown) => {
    const tracker = interactionsOf(bus);
    const key = tracker.start({ channelId: channel.channelId, spaceId: channel.spaceId, botUserId, botName });
    setError('');
    setBusy(what);
    try {
      const r = await api.call<{ interactionId: string }>('POST', path, body);
      tracker.started(key, String(r.interactionId));
      return true;
    } catch (e) {
      tracker.drop(key);
      setError(e instanceof ApiError ? e.message : 'The bot could not be reached.');
      return false;
    } finally {
      setBusy(null);
    }
  };
  const base = `/api/v1/messages/${enc(messageId)}`;

  return (
    <div class="bot-controls">
      {rows.map((row, i) => (
        <div role="group" key={i} class="control-row"
          aria-label={rows.length > 1 ? `${botName}'s controls, row ${i + 1}` : `${botName}'s controls`}>
          {row.controls.map((c, j) => {
            const kind = kindOf(c.type, CONTROL_KINDS);
            const gated = lacks(c.requiredArchetypeId);
            const hintId = gated ? `control-hint-${messageId}-${i}-${j}` : undefined;
            const hint = gated && <span id={hintId} class="hint control-hint">Requires the {roleName(c.requiredArchetypeId!)} role</span>;
            if (kind === 'button') {
              const link = kindOf(c.variant ?? 0, ['callback', 'link']) === 'link';
              if (link) {
                const href = safeUrl(c.url);
                return <span key={j} class="control">
                  {href && !c.disabled
                    ? <a class="bot-button" data-variant="link" href={href} target="_blank" rel="noopener noreferrer nofollow"
                      style={accent(c)} aria-describedby={hintId}>{label(c)} <span aria-hidden="true">↗</span></a>
                    : <button type="button" class="bot-button" data-variant="link" disabled>{label(c)}</button>}
                  {hint}
                </span>;
              }
              return <span key={j} class="control">
                <button type="button" class="bot-button" data-variant="callback" style={accent(c)}
                  disabled={!!c.disabled || busy === `button:${c.id}`} aria-describedby={hintId}
                  onClick={() => void interact(`button:${c.id}`, `${base}/controls/${enc(String(c.id))}`)}>{label(c)}</button>
                {hint}
              </span>;
            }
            if (kind === 'unknown') return null;
            return <span key={j} class="control">
              <SelectControl control={c} kind={kind} detail={detail} hintId={hintId} disabled={!!c.disabled}
                onSubmit={(values) => interact(`select:${c.customId}`, `${base}/selects/${enc(String(c.customId))}`, { values })} />
              {hint}
            </span>;
          })}
        </div>
      ))}
      {error && <p class="error" role="alert" id={errorId}>{error}</p>}
    </div>
  );
}

/** A select: a button opening a menu of checkboxes (radios when one value is allowed). */
export function SelectControl({ control, kind, detail, hintId, disabled, onSubmit }: {
  control: Control; kind: string; detail: SpaceDetail | null; hintId?: string; disabled: boolean;
  onSubmit: (values: string[]) => Promise<boolean>;
}) {
  const choices: Choice[] = kind === 'stringSelect'
    ? (control.options ?? []).map((o) => ({ value: o.value, label: o.label, description: o.description }))
    : spaceChoices(kind, detail);
  const initial = kind === 'stringSelect' ? (control.options ?? []).filter((o) => o.default).map((o) => o.value) : [];
  const [open, setOpen] = useState(false);
  const [chosen, setChosen] = useState<string[]>(initial);
  const [sending, setSending] = useState(false);
  const toggleRef = useRef<HTMLButtonElement>(null);
  const min = control.minValues ?? 1;
  const max = control.maxValues ?? 1;
  const id = useRef(`select-${Math.random().toString(36).slice(2)}`).current;
  const name = control.placeholder || 'Choose…';
  const single = max === 1;
  const ok = chosen.length >= min && chosen.length <= max;
  const close = () => { setOpen(false); toggleRef.current?.focus(); };
  const pick = (value: string, on: boolean) =>
    setChosen((now) => single ? [value] : on ? (now.length < max ? [...now, value] : now) : now.filter((v) => v !== value));
  const rule = min === max ? `Choose ${min}` : `Choose ${min} to ${max}`;
  return (
    <span class="select-control" onKeyDown={(e) => { if (e.key === 'Escape' && open) { e.preventDefault(); e.stopPropagation(); close(); } }}>
      <button type="button" ref={toggleRef} class="bot-button" data-variant="select" aria-expanded={open}
        aria-controls={id} disabled={disabled} aria-describedby={hintId} onClick={() => setOpen(!open)}>
        {name} <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <fieldset id={id} class="select-menu">
          <legend>{name} <span class="hint">({rule})</span></legend>
          {choices.length === 0 && <p class="hint">Nothing to choose from.</p>}
          {choices.map((c, i) => {
            const on = chosen.includes(c.value);
            return (
              <label key={c.value} class="select-option">
                <input type={single ? 'radio' : 'checkbox'} name={id} value={c.value} checked={on}
                  autoFocus={i === 0} disabled={!single && !on && chosen.length >= max}
                  onChange={(e) => pick(c.value, e.currentTarget.checked)} />
                {' '}{c.label}
                {c.description && <span class="hint"> — {c.description}</span>}
              </label>
            );
          })}
          <div class="actions">
            <button type="button" class="primary small" disabled={!ok || sending} onClick={async () => {
              setSending(true);
              const done = await onSubmit(chosen);
              setSending(false);
              if (done) close();
            }}>Send choice</button>
            <button type="button" class="small" onClick={close}>Cancel</button>
          </div>
        </fieldset>
      )}
    </span>
  );
}
