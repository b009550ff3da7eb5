// Reads several Redis streams as one, newest first: a k-way merge over XREVRANGE batches. Stream
// ids are only unique within a stream (two shards can both hold 1700000000000-0), so a position is
// (ms, seq, rank), rank being the stream's place in the list, and ties go to the higher rank.
import type { RedisClient } from '@sms-mfa/common/redis-client';

/** A place in the merged order: an entry's stream id and its stream's rank. */
export interface Position {
  readonly ms: number;
  readonly seq: number;
  readonly rank: number;
}

/** One entry read back, with where it sits in the merged order. */
export interface MergedEntry extends Position {
  readonly fields: string[];
}

/** `1700000000000-0-3` for an entry of stream 3: the merged order's id, and a paging cursor. */
export function positionId(p: Position): string {
  return `${p.ms}-${p.seq}-${p.rank}`;
}

/**
 * The position a cursor names. A bare stream id (`ms-seq`, from before the streams were split)
 * reads as rank 0, so the next page starts strictly before that id in every stream.
 */
export function parsePosition(cursor: string): Position {
  const [ms = 0, seq = 0, rank = 0] = cursor.split('-').map(Number);
  return { ms, seq, rank };
}

/** Entries of `streams` strictly before `before` (or the newest), newest first, at most `limit`. */
export async function newestFirst(
  redis: RedisClient,
  streams: readonly string[],
  before: Position | undefined,
  limit: number,
): Promise<MergedEntry[]> {
  const batch = Math.ceil(limit / streams.length) + 1;
  const sources = streams.map((key, rank) => new Source(redis, key, rank, before, batch));
  const out: MergedEntry[] = [];
  while (out.length < limit) {
    await Promise.all(sources.filter((s) => s.needsRefill()).map((s) => s.refill(limit)));
    const next = newestHead(sources);
    if (!next) {
      break;
    }
    out.push(next.take());
  }
  return out;
}

function newestHead(sources: readonly Source[]): Source | undefined {
  let best: Source | undefined;
  for (const source of sources) {
    const head = source.head();
    const bestHead = best?.head();
    if (head && (!bestHead || compare(head, bestHead) > 0)) {
      best = source;
    }
  }
  return best;
}

/** > 0 when `a` is newer than `b`. */
function compare(a: Position, b: Position): number {
  return a.ms - b.ms || a.seq - b.seq || a.rank - b.rank;
}

/** One stream's unread entries, fetched in batches that double each time. */
class Source {
  readonly #buffer: MergedEntry[] = [];
  #bound: string;
  #exhausted = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
    private readonly rank: number,
    before: Position | undefined,
    private batch: number,
  ) {
    // a lower rank sorts below an equal id of the cursor's stream, so that id itself is still unread here
    this.#bound = !before ? '+' : `${rank < before.rank ? '' : '('}${before.ms}-${before.seq}`;
  }

  needsRefill(): boolean {
    return this.#buffer.length === 0 && !this.#exhausted;
  }

  async refill(limit: number): Promise<void> {
    const rows = await this.redis.xrevrange(this.key, this.#bound, '-', 'COUNT', this.batch);
    this.#exhausted = rows.length < this.batch;
    this.batch = Math.min(this.batch * 2, limit + 1);
    for (const [id, fields] of rows) {
      const [ms = 0, seq = 0] = id.split('-').map(Number);
      this.#buffer.push({ ms, seq, rank: this.rank, fields });
      this.#bound = `(${id}`;
    }
  }

  head(): MergedEntry | undefined {
    return this.#buffer[0];
  }

  take(): MergedEntry {
    const entry = this.#buffer.shift();
    if (!entry) {
      throw new TypeError('Source.take: nothing buffered');
    }
    return entry;
  }
}
