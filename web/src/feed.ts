// The person's live feed (GET /api/v1/events) through EventSource. EventSource cannot send
// Authorization, so each (re)connection takes a single-use ticket first (POST /api/v1/auth/tickets)
// and passes it as ?ticket=; a reconnection resumes after the last event seen (?lastEventId=).
// EventSource's own retry would reuse the spent ticket, so an error closes it and this reconnects.
import { Api, parseJson } from './api';

export const FEED_EVENTS = [
  'ready', 'messageCreate', 'messageEdit', 'typingStart', 'typingStop', 'memberJoin', 'memberLeave',
  'memberUpdate', 'channelCreate', 'channelDelete', 'reactionAdd', 'reactionRemove', 'presenceUpdate',
  'interactionAcked', 'interactionDeferred', 'showModal',  // person-only: answers of bots (bots.ts)
  'archetypeCreate', 'archetypeUpdate',
  'voiceJoin', 'voiceLeave', 'callAccepted', 'callEnded',
] as const;

export type FeedState = 'connecting' | 'live' | 'offline';

export class Feed {
  private source: EventSource | null = null;
  private lastEventId: string | null = null;
  private retryMs = 500;
  private timer: number | undefined;
  private stopped = false;
  private generation = 0;  // a newer connect() makes an older one's late ticket moot

  constructor(
    private api: Api,
    private onEvent: (name: string, data: any) => void,
    private onState: (state: FeedState) => void,
  ) {}

  start() { void this.connect(); }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.source?.close();
    this.source = null;
  }

  private async connect() {
    if (this.stopped) return;
    const generation = ++this.generation;
    this.onState('connecting');
    let ticket: string;
    try {
      ticket = (await this.api.post<{ ticket: string }>('/api/v1/auth/tickets')).ticket;
    } catch {
      if (generation === this.generation) this.retry();
      return;
    }
    if (this.stopped || generation !== this.generation) return;
    let url = `/api/v1/events?ticket=${encodeURIComponent(ticket)}`;
    if (this.lastEventId) url += `&lastEventId=${encodeURIComponent(this.lastEventId)}`;
    const source = new EventSource(url);
    this.source = source;
    source.onerror = () => {
      source.close();
      if (this.source !== source) return;
      this.source = null;
      this.retry();
    };
    for (const name of FEED_EVENTS) {
      source.addEventListener(name, (e) => {
        const m = e as MessageEvent<string>;
        if (name === 'ready') {
          this.retryMs = 500;
          this.onState('live');
        } else if (m.lastEventId) {
          this.lastEventId = m.lastEventId;
        }
        let data: any = null;
        try { data = parseJson(m.data); } catch { return; }
        this.onEvent(name, data);
      });
    }
  }

  private retry() {
    if (this.stopped) return;
    this.onState('offline');
    clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, 15_000);
  }
}
