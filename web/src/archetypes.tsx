// The "Roles" dialog (archetypes): list the space's roles, create one, rename it, give it a colour,
// and tick its permissions, one named checkbox per entitlement (entitlements.ts), saved with POST or
// PATCH /api/v1/spaces/{id}/archetypes[/{archetypeId}]. Only for those who may manage them (the
// owner, ManageArchetype, ManageServer; the server checks again). archetypeCreate/archetypeUpdate
// reload the space (Shell), so the list follows what others change.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Api, ApiError, enc } from './api';
import { Modal } from './dialog';
import { ENTITLEMENT_GROUPS, KNOWN_MASK, bit, colourHex, colourInt, entitlementLabel, toMask } from './entitlements';
import { ArchetypeInfo, archetypesOf } from './members';
import type { SpaceDetail } from './shell';

interface Draft { name: string; colour: number; isMentionable: boolean; permissions: bigint }
const NEW = 'new';

function draftOf(a: ArchetypeInfo | undefined): Draft {
  return a
    ? { name: a.name, colour: a.colour ?? 0, isMentionable: !!a.isMentionable, permissions: toMask(a.permissions) }
    : { name: '', colour: 0x5865f2, isMentionable: false, permissions: 0n };
}

export function RolesDialog({ api, detail, onClose }: { api: Api; detail: SpaceDetail; onClose: () => void }) {
  const archetypes = archetypesOf(detail);
  const [selected, setSelected] = useState<string>(() => archetypes.find((a) => !a.isDefault)?.archetypeId ?? NEW);
  // One just created is selected before the space reloads with it: its POST answer stands in.
  const [created, setCreated] = useState<ArchetypeInfo | null>(null);
  const current = archetypes.find((a) => a.archetypeId === selected) ??
    (created?.archetypeId === selected ? created : undefined);
  const [draft, setDraft] = useState<Draft>(() => draftOf(current));
  const draftFor = useRef(selected);
  const [error, setError] = useState<{ field: string; message: string } | null>(null);
  const [saved, setSaved] = useState('');
  const [busy, setBusy] = useState(false);

  // A new selection starts a new draft; live reloads of the space do not overwrite one being edited.
  useEffect(() => {
    if (draftFor.current === selected) return;
    draftFor.current = selected;
    setDraft(draftOf(current));
    setError(null);
  }, [selected]);

  const select = (id: string) => { setSelected(id); setSaved(''); };
  const tick = (b: number, on: boolean) =>
    setDraft((d) => ({ ...d, permissions: on ? d.permissions | bit(b) : d.permissions & ~bit(b) }));

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setSaved('');
    // Bits the table does not name stay as they were.
    const base = current ? toMask(current.permissions) & ~KNOWN_MASK : 0n;
    const body = {
      name: draft.name.trim(), colour: draft.colour, isMentionable: draft.isMentionable,
      permissions: (base | (draft.permissions & KNOWN_MASK)).toString(),
    };
    try {
      if (current) {
        await api.call('PATCH', `/api/v1/spaces/${enc(detail.spaceId)}/archetypes/${enc(current.archetypeId)}`, body);
        setSaved(`Saved ${body.name}.`);
      } else {
        const made = await api.post<ArchetypeInfo>(`/api/v1/spaces/${enc(detail.spaceId)}/archetypes`, body);
        draftFor.current = made.archetypeId;  // the draft is what was just saved
        setCreated(made);
        setSelected(made.archetypeId);
        setSaved(`Created ${body.name}.`);
      }
    } catch (err) {
      const message = err instanceof ApiError ? err.message : 'Something went wrong.';
      const field = ['name', 'colour', 'permissions', 'isMentionable'].find((f) => message.includes(f)) ?? '';
      setError({ field, message });
    }
    setBusy(false);
  };

  return (
    <Modal title={`Roles in ${detail.name}`} onClose={onClose}>
      <div class="roles">
        <nav aria-label="Roles">
          <ul class="role-list" role="list">
            {archetypes.map((a) => (
              <li key={a.archetypeId}>
                <button type="button" aria-current={a.archetypeId === selected ? 'true' : undefined}
                  onClick={() => select(a.archetypeId)}>
                  <span class="role-swatch" style={{ background: colourHex(a.colour) }} aria-hidden="true" />
                  {a.isDefault ? `${a.name} (default, every member)` : a.name}
                </button>
              </li>
            ))}
          </ul>
          <button type="button" class="primary" onClick={() => select(NEW)} aria-pressed={selected === NEW}>New role</button>
        </nav>
        <form class="role-editor" onSubmit={save} aria-label={current ? `Edit role ${current.name}` : 'New role'}>
          <h3>{current ? `Edit ${current.name}` : 'New role'}</h3>
          <label>Name
            <input name="roleName" required maxLength={100} value={draft.name}
              aria-invalid={error?.field === 'name' ? 'true' : undefined}
              aria-describedby={error?.field === 'name' ? 'role-error' : undefined}
              onInput={(e) => setDraft({ ...draft, name: e.currentTarget.value })} />
          </label>
          <div class="role-props">
            <label class="inline">Colour
              <input type="color" name="roleColour" value={colourHex(draft.colour)}
                onInput={(e) => setDraft({ ...draft, colour: colourInt(e.currentTarget.value) })} />
            </label>
            <label class="inline">
              <input type="checkbox" checked={draft.isMentionable}
                onChange={(e) => setDraft({ ...draft, isMentionable: e.currentTarget.checked })} /> Anyone may mention it
            </label>
          </div>
          {ENTITLEMENT_GROUPS.map((g) => (
            <fieldset class="checks" key={g.title}>
              <legend>{g.title}</legend>
              {g.names.map(([name, b]) => (
                <label key={name} title={`${name} (1<<${b})`}>
                  <input type="checkbox" name={name} checked={(draft.permissions & bit(b)) !== 0n}
                    onChange={(e) => tick(b, e.currentTarget.checked)} /> {entitlementLabel(name)}
                </label>
              ))}
            </fieldset>
          ))}
          {error && <p class="error" role="alert" id="role-error">{error.message}</p>}
          {saved && <p class="saved" role="status">{saved}</p>}
          <div class="actions">
            <button type="submit" class="primary" disabled={busy || !draft.name.trim()}>
              {current ? 'Save role' : 'Create role'}
            </button>
            <button type="button" onClick={onClose}>Close</button>
          </div>
        </form>
      </div>
    </Modal>
  );
}
