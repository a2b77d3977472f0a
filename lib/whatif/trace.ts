import { NAME_PATTERN } from "@/lib/api/schemas";
import { describeValue } from "@/lib/breaker/options";
import { MAX_JITTER_MS, MAX_LATENCY_MS, SCENARIO_LIMITS, type EndpointPatch, type Scenario } from "@/lib/simulator";

/**
 * Trace import: a log of real requests (CSV with a header row, or JSON lines) turned into a
 * `Scenario` with one phase per time bucket, read in one streaming pass. Pure TypeScript, so the
 * what-if page's Web Worker and the CLI share it.
 *
 * The rules, exact because outside checks compute small cases by hand:
 * - Phase j holds the requests whose timestamp lies in [first + j·B, first + (j+1)·B), `first`
 *   the earliest timestamp (the trace need not be sorted), B the bucket.
 * - B starts at `bucketMs` (raised to 100 ms, the shortest phase). When that gives more than 100
 *   phases, B becomes the smallest whole multiple of it that gives at most 100.
 * - Per phase of n requests, their latencies sorted x[1] ≤ … ≤ x[n]: `failureRate` = the share
 *   with status >= 500; `latencyMs` = the median (x[(n+1)/2] for odd n, the mean of x[n/2] and
 *   x[n/2+1] for even n); `jitterMs` = (p90 − p10) / 2 with the nearest-rank pP = x[⌈P·n/100⌉];
 *   `errorStatus` = the commonest 5xx (ties: the lowest; absent without a 5xx); `fault: "status"`.
 *   Latency and jitter are capped at the lab's 60 000 ms. A bucket without requests is an empty
 *   patch: the model before it stays in force.
 * - `rps` = requests / (last − first timestamp, in s); a trace whose requests share one instant
 *   spreads them over one phase.
 */

/** A trace that cannot be imported; `line` is the 1-based line at fault, `null` for the trace as a whole. */
export class TraceError extends Error {
  constructor(
    readonly line: number | null,
    detail: string,
  ) {
    super(line === null ? detail : `line ${line}: ${detail}`);
    this.name = "TraceError";
  }
}

export interface TraceImportOptions {
  /** The phase length to aim for, ms: an integer from 1 to 3 600 000; default 1000. */
  bucketMs?: number;
  /** The endpoint the phases patch; default `"trace"`. */
  endpoint?: string;
  /** The scenario's name; default `"trace"`. */
  name?: string;
}

export type TraceFormat = "csv" | "jsonl";

export interface TraceImport {
  scenario: Scenario;
  /** The trace's own rate, requests per second: the default traffic of a what-if run. */
  rps: number;
  /** What the import changed to fit the lab (a widened bucket, capped latencies), for the user to read. */
  notes: string[];
  requests: number;
  /** Every phase's `forMs`: the bucket after raising and widening. */
  bucketMs: number;
  format: TraceFormat;
}

const REQUIRED_COLUMNS = ["timestamp", "status", "latencyMs"] as const;
// A line (or a CSV record with quoted newlines) longer than this is not a request: refusing it
// keeps memory bounded when a file has no newlines or a quote is never closed.
const MAX_LINE_CHARS = 1 << 20;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
// Date.parse also takes loose forms ("1 2 3" is a date in V8): only strings that start as an ISO date reach it.
const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;
const FIRST_5XX = 500;

function fieldError(line: number, field: string, rule: string, value: unknown): TraceError {
  return new TraceError(line, value === undefined ? `${field} is missing` : `${field} ${rule}, got ${describeValue(value)}`);
}

/** A number, or a string that spells one in decimal (CSV fields and some exporters' JSON are strings). */
function numeric(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && DECIMAL.test(value.trim())) return Number(value.trim());
  return undefined;
}

function readTimestamp(value: unknown, line: number): number {
  const epoch = numeric(value);
  if (epoch !== undefined && Number.isFinite(epoch)) return epoch;
  if (typeof value === "string" && ISO_DATE.test(value.trim())) {
    const parsed = Date.parse(value.trim());
    if (!Number.isNaN(parsed)) return parsed;
  }
  throw fieldError(line, "timestamp", "must be epoch ms (a number) or an ISO 8601 date", value);
}

function readStatus(value: unknown, line: number): number {
  const status = numeric(value);
  if (status !== undefined && Number.isInteger(status) && status >= 100 && status <= 599) return status;
  throw fieldError(line, "status", "must be an integer from 100 to 599", value);
}

function readLatency(value: unknown, line: number): number {
  const latency = numeric(value);
  if (latency !== undefined && Number.isFinite(latency) && latency >= 0) return latency;
  throw fieldError(line, "latencyMs", "must be a finite number >= 0", value);
}

/**
 * The fields of one CSV record: commas separate, a field that starts with `"` runs to the next
 * lone `"` (`""` inside is a quote, commas and newlines are text; anything after the closing
 * quote up to the comma is kept, as lenient readers do).
 *
 * @returns The fields, or `null` when a quoted field is still open at the end (the record goes on on the next line).
 */
function splitCsv(text: string): string[] | null {
  if (!text.includes('"')) return text.split(",");
  const fields: string[] = [];
  let at = 0;
  for (;;) {
    let field = "";
    if (text[at] === '"') {
      let from = at + 1;
      for (;;) {
        const quote = text.indexOf('"', from);
        if (quote < 0) return null;
        field += text.slice(from, quote);
        if (text[quote + 1] !== '"') {
          at = quote + 1;
          break;
        }
        field += '"';
        from = quote + 2;
      }
    }
    const comma = text.indexOf(",", at);
    fields.push(field + text.slice(at, comma < 0 ? text.length : comma));
    if (comma < 0) return fields;
    at = comma + 1;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function grown<T extends Float64Array | Uint16Array>(array: T): T {
  const bigger = new (array.constructor as new (length: number) => T)(array.length * 2);
  bigger.set(array);
  return bigger;
}

/** The requests read so far, as columns of numbers: a few bytes a request, never the text. */
class RequestColumns {
  length = 0;
  timestamps = new Float64Array(1024);
  latencies = new Float64Array(1024);
  statuses = new Uint16Array(1024);
  first = Number.POSITIVE_INFINITY;
  last = Number.NEGATIVE_INFINITY;

  push(timestamp: number, status: number, latency: number): void {
    if (this.length === this.timestamps.length) {
      this.timestamps = grown(this.timestamps);
      this.latencies = grown(this.latencies);
      this.statuses = grown(this.statuses);
    }
    this.timestamps[this.length] = timestamp;
    this.statuses[this.length] = status;
    this.latencies[this.length] = latency;
    this.length += 1;
    if (timestamp < this.first) this.first = timestamp;
    if (timestamp > this.last) this.last = timestamp;
  }
}

function phaseCount(spanMs: number, bucketMs: number): number {
  return Math.floor(spanMs / bucketMs) + 1;
}

/** The bucket every phase lasts: at least the shortest phase, widened to a whole multiple until the trace fits. */
function chooseBucket(spanMs: number, bucketMs: number, notes: string[]): number {
  const { minPhaseMs, maxPhaseMs, maxPhases } = SCENARIO_LIMITS;
  let bucket = bucketMs;
  if (bucket < minPhaseMs) {
    notes.push(`bucket raised from ${bucket} ms to ${minPhaseMs} ms, the shortest phase`);
    bucket = minPhaseMs;
  }
  if (phaseCount(spanMs, bucket) <= maxPhases) return bucket;
  // The smallest m with span / (m·B) < maxPhases is floor(span / (maxPhases·B)) + 1; counting up from
  // one below it absorbs floating-point error at exact multiples.
  let multiple = Math.max(2, Math.floor(spanMs / (maxPhases * bucket)));
  while (phaseCount(spanMs, multiple * bucket) > maxPhases) multiple += 1;
  const widened = multiple * bucket;
  if (widened > maxPhaseMs) {
    throw new TraceError(null, `the trace spans ${spanMs} ms: ${maxPhases} phases of a whole multiple of ${bucket} ms up to ${maxPhaseMs} ms cannot hold it`);
  }
  notes.push(`bucket widened from ${bucket} ms to ${widened} ms so the trace fits in ${maxPhases} phases`);
  return widened;
}

function median(sorted: Float64Array): number {
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The nearest-rank percentile: the smallest value with at least `percent`% of the values at or below it. */
function nearestRank(sorted: Float64Array, percent: number): number {
  // percent·n is an exact integer, so the division rounds correctly and ceil cannot overshoot.
  return sorted[Math.ceil((percent * sorted.length) / 100) - 1]!;
}

/** The commonest 5xx of one bucket from its counts by status (index 0 = 500), ties to the lowest. */
function commonest5xx(counts: Uint32Array): number | undefined {
  let best = -1;
  for (let index = 0; index < counts.length; index += 1) if (counts[index]! > 0 && (best < 0 || counts[index]! > counts[best]!)) best = index;
  return best < 0 ? undefined : FIRST_5XX + best;
}

/** One patch per bucket; the latencies are grouped by bucket (a counting sort) so each sorts on its own. */
function bucketPatches(requests: RequestColumns, bucket: number, phases: number, notes: string[]): EndpointPatch[] {
  const { length, timestamps, statuses, latencies, first } = requests;
  const bucketOf = new Uint8Array(length);
  const counts = new Uint32Array(phases);
  const failures = new Uint32Array(phases);
  const serverErrors = new Uint32Array(phases * 100);
  for (let index = 0; index < length; index += 1) {
    const phase = Math.min(phases - 1, Math.floor((timestamps[index]! - first) / bucket));
    bucketOf[index] = phase;
    counts[phase]! += 1;
    const status = statuses[index]!;
    if (status >= FIRST_5XX) {
      failures[phase]! += 1;
      serverErrors[phase * 100 + status - FIRST_5XX]! += 1;
    }
  }
  const starts = new Uint32Array(phases + 1);
  for (let phase = 0; phase < phases; phase += 1) starts[phase + 1] = starts[phase]! + counts[phase]!;
  const next = starts.slice(0, phases);
  const grouped = new Float64Array(length);
  for (let index = 0; index < length; index += 1) grouped[next[bucketOf[index]!]!++] = latencies[index]!;

  let capped = 0;
  const patches = Array.from({ length: phases }, (_, phase): EndpointPatch => {
    const count = counts[phase]!;
    if (count === 0) return {};
    const sorted = grouped.subarray(starts[phase]!, starts[phase + 1]!).sort();
    const latencyMs = median(sorted);
    const jitterMs = (nearestRank(sorted, 90) - nearestRank(sorted, 10)) / 2;
    if (latencyMs > MAX_LATENCY_MS || jitterMs > MAX_JITTER_MS) capped += 1;
    const errorStatus = commonest5xx(serverErrors.subarray(phase * 100, phase * 100 + 100));
    return {
      failureRate: failures[phase]! / count,
      ...(errorStatus === undefined ? {} : { errorStatus }),
      latencyMs: Math.min(latencyMs, MAX_LATENCY_MS),
      jitterMs: Math.min(jitterMs, MAX_JITTER_MS),
      fault: "status",
    };
  });
  if (capped > 0) notes.push(`latency or jitter capped at ${MAX_LATENCY_MS} ms (the lab's longest) in ${capped} phase${capped === 1 ? "" : "s"}`);
  return patches;
}

function checkName(option: string, value: string): void {
  if (!NAME_PATTERN.test(value)) throw new RangeError(`${option} must be 1-40 characters a-z, 0-9 or -, got ${describeValue(value)}`);
}

/**
 * Reads a trace chunk by chunk and builds its scenario. Feed it text in pieces of any size (a
 * piece may end in the middle of a line), then call `finish` once. The first non-empty line
 * decides the format: `{` starts JSON lines, anything else is a CSV header naming `timestamp`,
 * `status` and `latencyMs` (any order, any case, other columns ignored). Blank lines are skipped.
 * A `timestamp` is epoch ms (a number, or a string of one) or an ISO 8601 string. After a
 * `TraceError` the importer is spent.
 *
 * @example
 * const importer = new TraceImporter({ bucketMs: 1000 });
 * for await (const chunk of stream) { importer.push(chunk); bar(importer.charactersRead); }
 * const { scenario, rps, notes } = importer.finish();
 */
export class TraceImporter {
  private readonly bucketMs: number;
  private readonly endpoint: string;
  private readonly name: string;
  private readonly requests = new RequestColumns();
  private format: TraceFormat | null = null;
  /** Column indexes of the CSV header. */
  private columns: number[] = [];
  /** The unfinished last line of the text pushed so far. */
  private partial = "";
  private lines = 0;
  /** A CSV record whose quoted field runs on past the end of its first line. */
  private openRecord: { text: string; line: number } | null = null;
  private characters = 0;

  /** @throws RangeError for a bad option, naming it. */
  constructor({ bucketMs = 1000, endpoint = "trace", name = "trace" }: TraceImportOptions = {}) {
    if (!Number.isInteger(bucketMs) || bucketMs < 1 || bucketMs > SCENARIO_LIMITS.maxPhaseMs) {
      throw new RangeError(`bucketMs must be an integer from 1 to ${SCENARIO_LIMITS.maxPhaseMs}, got ${describeValue(bucketMs)}`);
    }
    checkName("endpoint", endpoint);
    checkName("name", name);
    this.bucketMs = bucketMs;
    this.endpoint = endpoint;
    this.name = name;
  }

  /** Characters pushed so far, for a progress bar (a caller that knows the size in bytes can count bytes instead). */
  get charactersRead(): number {
    return this.characters;
  }

  /** Requests read so far. */
  get requestsRead(): number {
    return this.requests.length;
  }

  /** @throws TraceError for a malformed line, naming its number and what is wrong. */
  push(chunk: string): void {
    this.characters += chunk.length;
    let start = 0;
    for (let end = chunk.indexOf("\n"); end !== -1; end = chunk.indexOf("\n", start)) {
      const piece = chunk.slice(start, end);
      const line = this.partial === "" ? piece : this.partial + piece;
      this.partial = "";
      this.readLine(line);
      start = end + 1;
    }
    if (start < chunk.length) {
      this.partial += chunk.slice(start);
      if (this.partial.length > MAX_LINE_CHARS) throw new TraceError(this.lines + 1, `is longer than ${MAX_LINE_CHARS} characters`);
    }
  }

  /**
   * Read the rest and build the scenario.
   *
   * @throws TraceError for a malformed last line, an empty trace, or one too long for 100 phases.
   */
  finish(): TraceImport {
    if (this.partial !== "") this.readLine(this.partial);
    this.partial = "";
    if (this.openRecord) throw new TraceError(this.openRecord.line, "a quoted field is never closed");
    const requests = this.requests;
    if (this.format === null) throw new TraceError(null, "the trace is empty");
    if (requests.length === 0) throw new TraceError(null, "the trace holds no requests");

    const notes: string[] = [];
    const spanMs = requests.last - requests.first;
    const bucket = chooseBucket(spanMs, this.bucketMs, notes);
    const phases = phaseCount(spanMs, bucket);
    const patches = bucketPatches(requests, bucket, phases, notes);
    const scenario: Scenario = {
      name: this.name,
      description: `Imported from a trace of ${requests.length} requests over ${spanMs} ms, ${bucket} ms a phase`,
      phases: patches.map((patch) => ({ forMs: bucket, endpoints: { [this.endpoint]: patch } })),
    };
    const rps = requests.length / ((spanMs > 0 ? spanMs : bucket) / 1000);
    return { scenario, rps, notes, requests: requests.length, bucketMs: bucket, format: this.format };
  }

  private readLine(raw: string): void {
    this.lines += 1;
    let text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (text.length > MAX_LINE_CHARS) throw new TraceError(this.lines, `is longer than ${MAX_LINE_CHARS} characters`);
    if (this.openRecord) {
      this.openRecord.text += `\n${text}`;
      if (this.openRecord.text.length > MAX_LINE_CHARS) throw new TraceError(this.openRecord.line, "a quoted field is never closed");
      this.readCsvRecord(this.openRecord.text, this.openRecord.line);
      return;
    }
    if (this.lines === 1 && text.startsWith("\uFEFF")) text = text.slice(1);
    if (text.trim() === "") return;
    if (this.format === null) {
      if (text.trimStart().startsWith("[")) throw new TraceError(this.lines, "a JSON array is not JSON lines: write one object a line");
      this.format = text.trimStart().startsWith("{") ? "jsonl" : "csv";
      if (this.format === "csv") {
        this.readHeader(text);
        return;
      }
    }
    if (this.format === "jsonl") this.readJsonLine(text);
    else this.readCsvRecord(text, this.lines);
  }

  private readHeader(text: string): void {
    const names = (splitCsv(text) ?? []).map((name) => name.trim().toLowerCase());
    const missing: string[] = [];
    this.columns = REQUIRED_COLUMNS.map((column) => {
      const index = names.indexOf(column.toLowerCase());
      if (index < 0) missing.push(column);
      else if (names.lastIndexOf(column.toLowerCase()) !== index) throw new TraceError(this.lines, `the CSV header names the column ${column} twice`);
      return index;
    });
    if (missing.length > 0) {
      throw new TraceError(this.lines, `the CSV header lacks the column${missing.length === 1 ? "" : "s"} ${missing.join(", ")} (it must name timestamp, status and latencyMs, in any order)`);
    }
  }

  private readCsvRecord(text: string, line: number): void {
    const fields = splitCsv(text);
    if (fields === null) {
      this.openRecord ??= { text, line };
      return;
    }
    this.openRecord = null;
    const [timestamp, status, latency] = this.columns.map((index) => fields[index]);
    this.add(line, timestamp, status, latency);
  }

  private readJsonLine(text: string): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new TraceError(this.lines, `is not valid JSON (${(error as Error).message})`);
    }
    if (!isRecord(value)) throw new TraceError(this.lines, `must be a JSON object, got ${describeValue(value)}`);
    this.add(this.lines, value.timestamp, value.status, value.latencyMs);
  }

  private add(line: number, timestamp: unknown, status: unknown, latency: unknown): void {
    this.requests.push(readTimestamp(timestamp, line), readStatus(status, line), readLatency(latency, line));
  }
}
