// A message's text with its entities (docs/client-api.md "Entities", SPEC.md): spans of the text in
// UTF-16 code units (a JS string's own units), possibly overlapping. The text is cut at every
// entity boundary and each piece wrapped in the elements of the entities covering it. Only text
// nodes and fixed elements are made: never HTML from the message.
import type { ComponentChildren } from 'preact';

const NAMES = [
  'hashtag', 'mention', 'mentionEveryone', 'mentionRole', 'email', 'url', 'monospace', 'quote',
  'spoiler', 'strikethrough', 'bold', 'italic', 'underline', 'fraction', 'ordinal', 'capitalized',
];

export interface Entity {
  type: number | string;
  offset: number;
  length: number;
  userId?: string;
  [k: string]: unknown;
}

export function entityName(type: number | string): string {
  if (typeof type === 'number') return NAMES[type] ?? 'unknown';
  const lower = String(type).toLowerCase();
  return NAMES.find((n) => n.toLowerCase() === lower) ?? 'unknown';
}

function safeHref(text: string): string | null {
  const candidate = /^[a-z][a-z0-9+.-]*:/i.test(text) ? text : `https://${text}`;
  try {
    const u = new URL(candidate);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

function wrap(name: string, e: Entity, piece: string, whole: string, child: ComponentChildren,
  nameOf: (userId: string) => string | undefined): ComponentChildren {
  switch (name) {
    case 'bold': return <strong>{child}</strong>;
    case 'italic': return <em>{child}</em>;
    case 'underline': return <u>{child}</u>;
    case 'strikethrough': return <s>{child}</s>;
    case 'monospace': return <code>{child}</code>;
    case 'quote': return <q class="quote">{child}</q>;
    case 'spoiler': return <span class="spoiler" tabIndex={0} title="Spoiler">{child}</span>;
    case 'capitalized': return <span class="capitalized">{child}</span>;
    case 'mention': {
      const who = e.userId ? nameOf(String(e.userId)) : undefined;
      return <span class="mention" title={who ? `@${who}` : undefined}>{child}</span>;
    }
    case 'mentionEveryone':
    case 'mentionRole':
    case 'hashtag':
      return <span class="mention">{child}</span>;
    case 'url': {
      const href = safeHref(whole);
      return href ? <a href={href} target="_blank" rel="noopener noreferrer nofollow">{child}</a> : child;
    }
    case 'email':
      return /^[^\s@]+@[^\s@]+$/.test(whole) ? <a href={`mailto:${whole}`}>{child}</a> : child;
    default:
      return child;
  }
}

export function RichText({ text, entities, nameOf }: {
  text: string;
  entities?: Entity[] | null;
  nameOf: (userId: string) => string | undefined;
}) {
  const list = (entities ?? []).filter((e) =>
    Number.isInteger(e.offset) && Number.isInteger(e.length) && e.offset >= 0 && e.length > 0 &&
    e.offset + e.length <= text.length);
  if (list.length === 0) return <>{text}</>;
  const cuts = new Set<number>([0, text.length]);
  for (const e of list) { cuts.add(e.offset); cuts.add(e.offset + e.length); }
  const points = [...cuts].sort((a, b) => a - b);
  const out: ComponentChildren[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const start = points[i];
    const end = points[i + 1];
    const piece = text.slice(start, end);
    let node: ComponentChildren = piece;
    for (const e of list) {
      if (e.offset <= start && end <= e.offset + e.length) {
        const whole = text.slice(e.offset, e.offset + e.length);
        node = wrap(entityName(e.type), e, piece, whole, node, nameOf);
      }
    }
    out.push(node);
  }
  return <>{out}</>;
}
