// A modal dialog on the native <dialog> (showModal): the browser traps focus inside, makes the
// rest of the page inert, and Escape closes it; labelled by its title for screen readers.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

let nextId = 0;

export function Modal({ title, onClose, children }: {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useRef(`dialog-title-${++nextId}`);
  useEffect(() => {
    const d = ref.current!;
    if (!d.open) d.showModal();
    return () => { if (d.open) d.close(); };
  }, []);
  return (
    <dialog ref={ref} class="modal" aria-labelledby={id.current}
      onCancel={(e) => { e.preventDefault(); onClose(); }}>
      <h2 id={id.current}>{title}</h2>
      {children}
    </dialog>
  );
}
