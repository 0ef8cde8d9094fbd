// Bots' answers to the person in a channel: the status line of their interactions (Sending…, got
// it, thinking…) and the modals bots open (showModal): a native <dialog> with the modal's text
// inputs (short, or paragraph as a textarea), checkboxes and selects, checked in the page before it
// is sent with the modal's own interactionId. A 400 keeps the dialog open with the server's reason
// (a rejected submission consumes nothing); 404 interaction_not_found means it expired: the dialog
// closes and the status line says so.
import { useState } from 'preact/hooks';
import { Api, ApiError, enc } from './api';
import { Choice, MODAL_KINDS, ModalComponent, ShownModal, interactionsOf, kindOf, pendingText, spaceChoices, useInteractions, useSpace } from './bots';
import { Modal } from './dialog';
import type { Bus, Channel } from './shell';

export function BotActivity({ api, bus, channel }: { api: Api; bus: Bus; channel: Channel }) {
  const tracker = useInteractions(bus);
  const here = tracker.pending.filter((p) => p.channelId === channel.channelId);
  const modal = tracker.modals[0];
  return (
    <>
      <ul class="bot-status" role="status" aria-label="Bot interactions">
        {here.map((p) => <li key={p.key} data-state={p.state} class={p.state === 'expired' ? 'error' : undefined}>{pendingText(p)}</li>)}
      </ul>
      {modal && <BotModal key={modal.interactionId} api={api} bus={bus} shown={modal}
        spaceId={modal.spaceId ?? channel.spaceId} channelId={modal.channelId ?? channel.channelId} />}
    </>
  );
}

type Value = string | boolean | string[];

function initial(c: ModalComponent, kind: string): Value {
  if (kind === 'textInput') return c.value ?? '';
  if (kind === 'checkbox') return !!c.default;
  if (kind === 'stringSelect') return (c.options ?? []).filter((o) => o.default).map((o) => o.value);
  return [];
}

/** What is wrong with a field's value, or ''. Mirrors the server's checks (docs/client-api.md). */
export function fieldError(c: ModalComponent, kind: string, v: Value): string {
  if (kind === 'textInput') {
    const s = String(v);
    if (s === '') return c.required === false ? '' : 'This field is required.';
    if (c.minLength != null && s.length < c.minLength) return `At least ${c.minLength} characters (${s.length} now).`;
    if (c.maxLength != null && s.length > c.maxLength) return `At most ${c.maxLength} characters (${s.length} now).`;
    return '';
  }
  if (kind === 'checkbox') return '';
  const n = (v as string[]).length;
  if (n === 0) return c.required === true ? 'Choose at least one.' : '';
  const min = c.minValues ?? 1, max = c.maxValues ?? 1;
  if (n < min) return `Choose at least ${min}.`;
  if (n > max) return `Choose at most ${max}.`;
  return '';
}

function BotModal({ api, bus, shown, spaceId, channelId }: {
  api: Api; bus: Bus; shown: ShownModal; spaceId: string; channelId: string;
}) {
  const tracker = interactionsOf(bus);
  const comps = shown.modal.components ?? [];
  const kinds = comps.map((c) => kindOf(c.type, MODAL_KINDS));
  const needsSpace = kinds.some((k) => k === 'userSelect' || k === 'archetypeSelect' || k === 'channelSelect');
  const detail = useSpace(api, needsSpace ? spaceId : '');
  const [values, setValues] = useState<Value[]>(() => comps.map((c, i) => initial(c, kinds[i])));
  const [errors, setErrors] = useState<string[]>([]);
  const [formError, setFormError] = useState('');
  const [busy, setBusy] = useState(false);
  const close = () => tracker.closeModal(shown.interactionId);
  const set = (i: number, v: Value) => {
    setValues((now) => now.map((x, j) => (j === i ? v : x)));
    if (errors[i]) setErrors((now) => now.map((x, j) => (j === i ? '' : x)));
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    const found = comps.map((c, i) => fieldError(c, kinds[i], values[i]));
    setErrors(found);
    setFormError('');
    if (found.some(Boolean)) return;
    // Optional fields left empty are left out; a checkbox always says true or false.
    const sent: { customId: string; value: Value }[] = [];
    const index: number[] = [];
    comps.forEach((c, i) => {
      const v = values[i];
      if ((kinds[i] === 'textInput' && v === '') || (Array.isArray(v) && v.length === 0)) return;
      sent.push({ customId: c.customId, value: v });
      index.push(i);
    });
    setBusy(true);
    const key = tracker.start({ channelId, spaceId, botUserId: shown.botUserId, botName: shown.botName });
    try {
      const r = await api.post<{ interactionId: string }>(`/api/v1/interactions/${enc(shown.interactionId)}/modal`, { values: sent });
      tracker.started(key, String(r.interactionId));
      close();
    } catch (err) {
      tracker.drop(key);
      setBusy(false);
      if (err instanceof ApiError && err.status === 404) {
        tracker.notice({ channelId, spaceId, botName: shown.botName, state: 'expired' });
        close();
        return;
      }
      const message = err instanceof ApiError ? err.message : 'The form was not sent.';
      // "values[i]…" names a submitted field: show it there.
      const m = /values\[(\d+)\]/.exec(message);
      const at = m ? index[Number(m[1])] : undefined;
      if (at !== undefined) setErrors(comps.map((_, i) => (i === at ? message : '')));
      else setFormError(message);
    }
  };

  return (
    <Modal title={shown.modal.title} onClose={close}>
      <p class="hint">From {shown.botName}</p>
      <form noValidate onSubmit={submit}>
        {comps.map((c, i) => {
          const id = `modal-${shown.interactionId}-${i}`;
          const err = errors[i];
          const errId = err ? `${id}-error` : undefined;
          const kind = kinds[i];
          const required = kind === 'textInput' ? c.required !== false : c.required === true;
          const note = c.description && <span class="hint" id={`${id}-desc`}>{c.description}</span>;
          const describedBy = [c.description ? `${id}-desc` : '', errId ?? ''].filter(Boolean).join(' ') || undefined;
          const errorLine = err && <span class="error field-error" id={errId}>{err}</span>;
          if (kind === 'textInput') {
            const props = {
              id, name: c.customId, value: String(values[i]), placeholder: c.placeholder ?? undefined,
              maxLength: c.maxLength ?? undefined, required, 'aria-invalid': err ? true : undefined,
              'aria-describedby': describedBy,
              onInput: (e: any) => set(i, e.currentTarget.value),
            };
            const paragraph = kindOf(c.style ?? 0, ['short', 'paragraph']) === 'paragraph';
            return <div class="field" key={c.customId}>
              <label for={id}>{c.label}{required && <span aria-hidden="true"> *</span>}
                {(c.minLength != null || c.maxLength != null) &&
                  <span class="hint"> ({c.minLength ?? 0}–{c.maxLength ?? 4000} characters)</span>}</label>
              {paragraph ? <textarea rows={4} {...props} /> : <input type="text" {...props} />}
              {note}{errorLine}
            </div>;
          }
          if (kind === 'checkbox') {
            return <div class="field" key={c.customId}>
              <label class="check"><input type="checkbox" name={c.customId} checked={values[i] === true}
                aria-describedby={describedBy} onChange={(e) => set(i, e.currentTarget.checked)} /> {c.label}</label>
              {note}{errorLine}
            </div>;
          }
          if (kind === 'unknown') return null;
          const choices: Choice[] = kind === 'stringSelect'
            ? (c.options ?? []).map((o) => ({ value: o.value, label: o.label, description: o.description }))
            : spaceChoices(kind, detail);
          const max = c.maxValues ?? 1;
          const chosen = values[i] as string[];
          return <fieldset class="field choice" key={c.customId} aria-describedby={describedBy}
            aria-invalid={err ? true : undefined}>
            <legend>{c.label}{required && <span aria-hidden="true"> *</span>}</legend>
            {choices.map((o) => {
              const on = chosen.includes(o.value);
              return <label key={o.value} class="select-option">
                <input type={max === 1 ? 'radio' : 'checkbox'} name={`${id}-opt`} value={o.value} checked={on}
                  disabled={max > 1 && !on && chosen.length >= max}
                  onChange={(e) => set(i, max === 1 ? [o.value]
                    : e.currentTarget.checked ? [...chosen, o.value] : chosen.filter((x) => x !== o.value))} /> {o.label}
              </label>;
            })}
            {max === 1 && !required && chosen.length > 0 &&
              <button type="button" class="small" onClick={() => set(i, [])}>Clear</button>}
            {note}{errorLine}
          </fieldset>;
        })}
        {formError && <p class="error" role="alert">{formError}</p>}
        {errors.some(Boolean) && !formError && <p class="error" role="alert">Please correct the marked fields.</p>}
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>Submit</button>
          <button type="button" onClick={close}>Cancel</button>
        </div>
      </form>
    </Modal>
  );
}
