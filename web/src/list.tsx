// The message list of a channel, windowed: only the messages in and near the viewport are in the
// DOM, so 10,000 loaded messages cost about what 100 do. Heights vary (text, replies, reactions,
// an open edit box): every rendered item is measured (after each render and by a ResizeObserver)
// into a height cache; the others count as the average measured height. The items above the
// window are the <ol>'s top padding, those below its bottom padding.
//
// Position is kept by an anchor, not by scrollTop: either "stuck to the bottom" (the person is at
// the bottom: new messages stay in view) or a message id and how far its top is below the top of
// the viewport. Each render lays out the window around the anchor, and after it the scroll
// position is corrected so the anchor sits where it was; so prepending older pages, heights
// replacing estimates and resizes move nothing on screen.
//
// The list itself does not render a message: `render` does (channel.tsx), given the attributes
// the list needs on its <li> (data-id, aria-posinset/aria-setsize, tabIndex for the reply jump).
import type { ComponentChildren, VNode } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';

export interface ItemAttrs {
  'data-id': string;
  'aria-posinset': number;
  'aria-setsize': number;
  tabIndex: -1;
}

export interface ListControl {
  toBottom(): void;
  jumpTo(id: string): boolean;  // false when that message is not loaded
}

interface Item { id: string }
type Anchor = { id: string; delta: number } | null;  // null: stuck to the bottom

const ESTIMATE = 64;           // px, until something is measured
const OVERSCAN = 600;          // px rendered above and below the viewport
const WINDOW_FROM = 150;       // fewer messages than this are all rendered (find in page works)
const NEAR_TOP_SCREENS = 2;    // older pages load this many screens before the top
const BOTTOM_SLACK = 40;       // px from the bottom that still counts as "at the bottom"

// Index of the last i with tops[i] <= y (tops ascending, tops[0] = 0).
function findIndex(tops: Float64Array, n: number, y: number): number {
  let lo = 0, hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (tops[mid] <= y) lo = mid; else hi = mid - 1;
  }
  return Math.max(0, lo);
}

export function MessageList<T extends Item>({ items, render, label, describe, mineId, onNearTop, control, children }: {
  items: T[];
  render: (item: T, attrs: ItemAttrs) => VNode;
  label: string;
  describe: (item: T) => string | null;  // the announcement of a new message, or null for none
  mineId: (item: T) => boolean;          // the person's own (no "New messages" for those)
  onNearTop: () => void;
  control?: { current: ListControl | null };
  children?: ComponentChildren;          // above the list: "Load older messages", the empty hint
}) {
  const boxRef = useRef<HTMLDivElement>(null);
  const olRef = useRef<HTMLOListElement>(null);
  const heights = useRef(new Map<string, number>());
  const measured = useRef({ sum: 0, count: 0 });
  const anchor = useRef<Anchor>(null);
  const viewport = useRef(800);
  const width = useRef(0);
  const [version, setVersion] = useState(0);  // heights changed
  const [, setTick] = useState(0);            // the window moved
  const [unseen, setUnseen] = useState(false);
  const [announce, setAnnounce] = useState('');
  const lastId = useRef<string | null>(null);
  const rendered = useRef({ start: 0, end: 0 });
  const focusTarget = useRef<string | null>(null);
  // The scrollTop the anchor was read at (or restored to). Anything else means the person scrolled
  // and the scroll event has not come yet: the anchor is read again before it is used.
  const known = useRef(-1);
  const sync = useRef<() => void>(() => {});
  const synced = () => {
    const box = boxRef.current;
    if (box && Math.abs(box.scrollTop - known.current) > 0.5) sync.current();
  };
  synced();  // with the previous render's layout, which is what is on screen
  const n = items.length;
  const windowed = n >= WINDOW_FROM;

  const index = useMemo(() => new Map(items.map((m, i) => [m.id, i])), [items]);
  const estimate = () => (measured.current.count ? measured.current.sum / measured.current.count : ESTIMATE);
  const tops = useMemo(() => {
    const t = new Float64Array(n + 1);
    const h = heights.current, e = estimate();
    for (let i = 0; i < n; i++) t[i + 1] = t[i] + (h.get(items[i].id) ?? e);
    return t;
  }, [items, version]);

  // The window around the anchor, in the list's own coordinates (0 = top of the first message).
  const range = (): { start: number; end: number } => {
    if (!windowed) return { start: 0, end: n };
    const a = anchor.current;
    const at = a ? index.get(a.id) : undefined;
    const top = at === undefined ? tops[n] - viewport.current : tops[at] - a!.delta;
    const start = findIndex(tops, n, top - OVERSCAN);
    const end = Math.min(n, findIndex(tops, n, top + viewport.current + OVERSCAN) + 1);
    return { start, end };
  };
  const { start, end } = range();
  rendered.current = { start, end };

  // Where the viewport is now, as an anchor; and whether the window has to move.
  const readAnchor = () => {
    const box = boxRef.current, ol = olRef.current;
    if (!box || !ol) return;
    viewport.current = box.clientHeight || viewport.current;
    known.current = box.scrollTop;
    if (box.scrollHeight - box.scrollTop - box.clientHeight < BOTTOM_SLACK) {
      anchor.current = null;
      return;
    }
    const y = box.getBoundingClientRect().top - ol.getBoundingClientRect().top;  // viewport top, list coordinates
    if (n === 0) return;
    const i = findIndex(tops, n, y);
    anchor.current = { id: items[i].id, delta: tops[i] - y };
  };

  const onScroll = () => {
    const box = boxRef.current!;
    // Where restore() (or the last read) left it: the anchor already says where we are. Reading it
    // again from a late event of an earlier restore would undo what happened since (a reply jump
    // made right after "New messages" was lost that way: the window went back to the bottom).
    if (Math.abs(box.scrollTop - known.current) > 0.5) readAnchor();
    if (anchor.current === null) setUnseen(false);
    if (box.scrollTop < box.clientHeight * NEAR_TOP_SCREENS) onNearTop();
    const r = range();
    if (r.start !== rendered.current.start || r.end !== rendered.current.end) setTick((x) => x + 1);
  };

  // Heights of what is rendered; true when one changed.
  const measure = (): boolean => {
    const ol = olRef.current, box = boxRef.current;
    if (!ol || !box) return false;
    if (box.clientWidth !== width.current) {
      // Another width: every cached height is stale; what is rendered is measured again below.
      if (width.current) { heights.current.clear(); measured.current = { sum: 0, count: 0 }; }
      width.current = box.clientWidth;
    }
    viewport.current = box.clientHeight || viewport.current;
    let changed = false;
    let gap = 0;
    const lis = ol.children;
    for (let i = 0; i < lis.length; i++) {
      const li = lis[i] as HTMLElement;
      const id = li.dataset.id;
      if (!id) continue;
      if (i === 0) {
        const s = getComputedStyle(li);
        gap = (parseFloat(s.marginTop) || 0) + (parseFloat(s.marginBottom) || 0);
      }
      const h = li.getBoundingClientRect().height + gap;
      const old = heights.current.get(id);
      if (old === undefined || Math.abs(old - h) > 0.5) {
        if (old === undefined) measured.current.count++; else measured.current.sum -= old;
        measured.current.sum += h;
        heights.current.set(id, h);
        changed = true;
      }
    }
    return changed;
  };

  // Put the anchor back where it was (or the bottom in view).
  const restore = () => {
    const box = boxRef.current, ol = olRef.current;
    if (!box || !ol) return;
    const a = anchor.current;
    if (a === null) {
      box.scrollTop = box.scrollHeight;
    } else {
      const el = ol.querySelector<HTMLElement>(`[data-id="${CSS.escape(a.id)}"]`);
      if (!el) return;
      const diff = el.getBoundingClientRect().top - box.getBoundingClientRect().top - a.delta;
      if (Math.abs(diff) >= 1) box.scrollTop += diff;
    }
    known.current = box.scrollTop;
  };
  const settle = () => {
    synced();
    if (measure()) setVersion((v) => v + 1);
    restore();
  };
  const settleRef = useRef(settle);
  settleRef.current = settle;

  useLayoutEffect(() => {
    sync.current = readAnchor;  // this render is on screen now
    settle();
    const id = focusTarget.current;
    if (id) {
      const el = olRef.current?.querySelector<HTMLElement>(`[data-id="${CSS.escape(id)}"]`);
      if (el) {
        focusTarget.current = null;
        el.focus({ preventScroll: true });
        // A brief highlight shows where the jump landed (the focus ring may not show after a click).
        el.dataset.jumped = '';
        el.addEventListener('animationend', () => { delete el.dataset.jumped; }, { once: true });
      }
    }
  });

  // Heights that change without a render of the list (a font, an entity's layout): measured too.
  // The box's own size (window, phone keyboard, "Replying to" bar) keeps the anchor as well.
  useEffect(() => {
    const ro = new ResizeObserver(() => settleRef.current());
    if (boxRef.current) ro.observe(boxRef.current);
    if (olRef.current) ro.observe(olRef.current);
    return () => ro.disconnect();
  }, []);

  // A message appended at the end: announced (the log itself is not live, so the window's
  // churn is not read out), and "New messages" offered when the person is not at the bottom.
  useEffect(() => {
    const last = n ? items[n - 1] : null;
    const before = lastId.current;
    lastId.current = last?.id ?? null;
    if (!last || before === null || before === last.id || !index.has(before)) return;
    if ((index.get(before) ?? 0) >= n - 1) return;
    if (mineId(last)) return;
    const text = describe(last);
    if (text) setAnnounce(text);
    if (anchor.current !== null) setUnseen(true);
  }, [items]);

  if (control) {
    control.current = {
      toBottom: () => {
        synced();
        anchor.current = null;
        setUnseen(false);
        setTick((x) => x + 1);
      },
      jumpTo: (id: string) => {
        if (!index.has(id)) return false;
        synced();
        anchor.current = { id, delta: Math.round(viewport.current / 3) };
        focusTarget.current = id;
        setTick((x) => x + 1);
        return true;
      },
    };
  }

  // PageUp/PageDown/Home/End when the list itself has the focus (not a box inside a message).
  const onKeyDown = (e: KeyboardEvent) => {
    const box = boxRef.current!;
    if (e.target !== box || e.altKey || e.ctrlKey || e.metaKey) return;
    const page = Math.max(40, box.clientHeight - 40);
    if (e.key === 'PageUp') box.scrollTop -= page;
    else if (e.key === 'PageDown') box.scrollTop += page;
    else if (e.key === 'Home') box.scrollTop = 0;
    else if (e.key === 'End') { anchor.current = null; box.scrollTop = box.scrollHeight; }
    else return;
    e.preventDefault();
  };

  // A focused message about to leave the window: focus goes to the list, not to <body>.
  const active = typeof document !== 'undefined' ? document.activeElement : null;
  if (active && olRef.current?.contains(active)) {
    const li = active.closest<HTMLElement>('li[data-id]');
    const at = li?.dataset.id ? index.get(li.dataset.id) : undefined;
    if (at !== undefined && (at < start || at >= end)) boxRef.current?.focus({ preventScroll: true });
  }

  const out: VNode[] = [];
  for (let i = start; i < end; i++) {
    out.push(render(items[i], { 'data-id': items[i].id, 'aria-posinset': i + 1, 'aria-setsize': n, tabIndex: -1 }));
  }
  return (
    <div class="messages-wrap">
      <div class="messages" ref={boxRef} onScroll={onScroll} onKeyDown={onKeyDown} role="log" aria-live="off"
        aria-label={label} tabIndex={0}>
        {children}
        <ol class="message-list" ref={olRef}
          style={{ paddingTop: `${tops[start]}px`, paddingBottom: `${tops[n] - tops[end]}px` }}>
          {out}
        </ol>
      </div>
      {unseen && (
        <button type="button" class="new-messages small primary"
          onClick={() => { control?.current?.toBottom(); boxRef.current?.focus({ preventScroll: true }); }}>
          New messages ↓
        </button>
      )}
      <div class="visually-hidden" aria-live="polite" aria-atomic="true">{announce}</div>
    </div>
  );
}
