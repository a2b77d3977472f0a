import { describe, expect, it } from "vitest";
import { scenarioSchema } from "@/lib/api/schemas";
import { runWhatIf } from "./engine";
import { TraceError, TraceImporter, type TraceImport, type TraceImportOptions } from "./trace";

function importChunks(chunks: string[], options?: TraceImportOptions): TraceImport {
  const importer = new TraceImporter(options);
  for (const chunk of chunks) importer.push(chunk);
  return importer.finish();
}

const importText = (text: string, options?: TraceImportOptions) => importChunks([text], options);

function importError(text: string, options?: TraceImportOptions): TraceError {
  try {
    importText(text, options);
  } catch (error) {
    expect(error).toBeInstanceOf(TraceError);
    return error as TraceError;
  }
  throw new Error("the import did not fail");
}

// Computed by hand from the rules in trace.ts: phases of 1000 ms from the first timestamp (1000),
// the median of the sorted latencies, nearest-rank p10/p90 (rank ⌈P·n/100⌉), the commonest 5xx.
const ROWS: Array<[timestamp: number, status: number, latencyMs: number]> = [
  // [1000, 2000): latencies 10 20 30 40 → median (20 + 30) / 2 = 25; p10 = rank 1 = 10, p90 = rank 4 = 40;
  // 2 of 4 are 5xx; 500 and 503 tie once each → 500.
  [1000, 200, 10],
  [1100, 200, 30],
  [1200, 503, 20],
  [1300, 500, 40],
  // [2000, 3000): no requests → an empty patch.
  // [3000, 4000): latencies 5 7 9 11 100 → median 9; p10 = rank 1 = 5, p90 = rank 5 = 100 → jitter 47.5; 502 twice.
  [3000, 200, 5],
  [3500, 502, 7],
  [3600, 502, 9],
  [3900, 504, 100],
  [3999, 200, 11],
  // [4000, 5000): one 4xx (a success) → no errorStatus.
  [4000, 404, 50],
];

const EXPECTED_PHASES = [
  { forMs: 1000, endpoints: { trace: { failureRate: 0.5, errorStatus: 500, latencyMs: 25, jitterMs: 15, fault: "status" } } },
  { forMs: 1000, endpoints: { trace: {} } },
  { forMs: 1000, endpoints: { trace: { failureRate: 0.6, errorStatus: 502, latencyMs: 9, jitterMs: 47.5, fault: "status" } } },
  { forMs: 1000, endpoints: { trace: { failureRate: 0, latencyMs: 50, jitterMs: 0, fault: "status" } } },
];

const csvOf = (rows: typeof ROWS) => `timestamp,status,latencyMs\n${rows.map((row) => row.join(",")).join("\n")}\n`;
const jsonLinesOf = (rows: typeof ROWS) =>
  rows.map(([timestamp, status, latencyMs]) => JSON.stringify({ timestamp: new Date(timestamp).toISOString(), status, latencyMs })).join("\n");

/** A trace of `latencies.length` requests in one bucket, all 200s. */
const oneBucket = (latencies: number[]) => csvOf(latencies.map((latency, index) => [index, 200, latency]));
const phase = (result: TraceImport, index = 0) => result.scenario.phases[index]!.endpoints.trace;

describe("TraceImporter: buckets computed by hand", () => {
  it("CSV with epoch ms: failure rate, median, jitter, commonest 5xx, an empty bucket, the rate", () => {
    const result = importText(csvOf(ROWS));
    expect(result.scenario.phases).toEqual(EXPECTED_PHASES);
    expect(result.scenario.name).toBe("trace");
    expect(result.requests).toBe(10);
    expect(result.bucketMs).toBe(1000);
    expect(result.format).toBe("csv");
    expect(result.notes).toEqual([]);
    // 10 requests over 4000 − 1000 = 3000 ms.
    expect(result.rps).toBeCloseTo(10 / 3, 12);
  });

  it("JSON lines with ISO timestamps give the same phases", () => {
    const result = importText(jsonLinesOf(ROWS));
    expect(result.format).toBe("jsonl");
    expect(result.scenario.phases).toEqual(EXPECTED_PHASES);
  });

  it("mixes epoch and ISO timestamps, numbers and numeric strings", () => {
    const text = ['{"timestamp":1000,"status":200,"latencyMs":4}', '{"timestamp":"1970-01-01T00:00:01.500Z","status":"503","latencyMs":"6"}'].join("\n");
    expect(phase(importText(text))).toEqual({ failureRate: 0.5, errorStatus: 503, latencyMs: 5, jitterMs: 1, fault: "status" });
  });

  it("odd and even medians; nearest-rank p10 and p90 at 10, 20 and 30 requests", () => {
    expect(phase(importText(oneBucket([3, 1, 2])))).toMatchObject({ latencyMs: 2, jitterMs: 1 });
    // 1..10: median (5 + 6) / 2, p10 = rank 1 = 1, p90 = rank 9 = 9.
    expect(phase(importText(oneBucket([10, 9, 8, 7, 6, 5, 4, 3, 2, 1])))).toMatchObject({ latencyMs: 5.5, jitterMs: 4 });
    // 1..20: median 10.5, p10 = rank 2, p90 = rank 18.
    const twenty = Array.from({ length: 20 }, (_, index) => ((index * 7) % 20) + 1);
    expect(phase(importText(oneBucket(twenty)))).toMatchObject({ latencyMs: 10.5, jitterMs: 8 });
    // 1..30: median 15.5, p10 = rank 3, p90 = rank 27.
    const thirty = Array.from({ length: 30 }, (_, index) => 30 - index);
    expect(phase(importText(oneBucket(thirty)))).toMatchObject({ latencyMs: 15.5, jitterMs: 12 });
  });

  it("the commonest 5xx, ties to the lowest; 4xx count as successes", () => {
    const rows: typeof ROWS = [
      [0, 599, 1],
      [1, 503, 1],
      [2, 503, 1],
      [3, 599, 1],
      [4, 429, 1],
      [5, 500, 1],
    ];
    expect(phase(importText(csvOf(rows)))).toMatchObject({ failureRate: 5 / 6, errorStatus: 503 });
  });

  it("unsorted timestamps: buckets start at the earliest, whatever the order", () => {
    const shuffled = [ROWS[7]!, ROWS[9]!, ROWS[2]!, ROWS[0]!, ROWS[5]!, ROWS[8]!, ROWS[1]!, ROWS[6]!, ROWS[3]!, ROWS[4]!];
    expect(importText(csvOf(shuffled)).scenario.phases).toEqual(EXPECTED_PHASES);
  });

  it("CSV: columns in any order and any case, extra columns, quoted fields, CRLF, a BOM, blank lines", () => {
    const text = [
      '\uFEFFpath,"LatencyMs",Status,timestamp',
      '"/a, with comma",10,200,1000',
      "",
      '"say ""hi""",30,200,1100',
      '"two',
      'lines",20,503,1200',
      "/d,40,500,1300",
      "   ",
    ].join("\r\n");
    expect(phase(importText(text))).toEqual(EXPECTED_PHASES[0]!.endpoints.trace);
  });

  it("names the scenario and the endpoint it patches", () => {
    const result = importText(csvOf(ROWS), { name: "incident-42", endpoint: "payments" });
    expect(result.scenario.name).toBe("incident-42");
    expect(result.scenario.phases.every((one) => Object.keys(one.endpoints).join() === "payments")).toBe(true);
  });

  it("all requests at one instant: one phase, the rate over that phase", () => {
    const result = importText(csvOf([[5, 200, 1], [5, 200, 3]]), { bucketMs: 500 });
    expect(result.scenario.phases).toHaveLength(1);
    expect(result.rps).toBe(4);
  });
});

describe("TraceImporter: streaming", () => {
  const traces = {
    csv: `\uFEFFtimestamp,status,latencyMs,note\r\n${ROWS.map((row, index) => `${row.join(",")},"n ""${index}"", with\r\nnewline"`).join("\r\n")}\r\n\r\n`,
    jsonl: `\n${jsonLinesOf(ROWS)}\n\n`,
  };

  for (const [format, text] of Object.entries(traces)) {
    it(`${format}: the same scenario whichever position splits the text`, () => {
      const whole = importText(text);
      expect(whole.scenario.phases).toEqual(EXPECTED_PHASES);
      for (let at = 0; at <= text.length; at += 1) {
        expect(importChunks([text.slice(0, at), text.slice(at)]), `split at ${at}`).toEqual(whole);
      }
      expect(importChunks([...text])).toEqual(whole);
    });
  }

  it("counts the characters and requests read, for a progress bar", () => {
    const importer = new TraceImporter();
    const text = csvOf(ROWS);
    importer.push(text.slice(0, 40));
    expect(importer.charactersRead).toBe(40);
    importer.push(text.slice(40));
    expect(importer.charactersRead).toBe(text.length);
    expect(importer.requestsRead).toBe(ROWS.length);
  });

  it("a trace without a final newline still reads its last line", () => {
    expect(importText(csvOf(ROWS).trimEnd()).requests).toBe(ROWS.length);
  });
});

describe("TraceImporter: the bucket", () => {
  const spanning = (spanMs: number) => csvOf([[0, 200, 1], [spanMs, 200, 1]]);

  it("100 phases fit without widening", () => {
    const result = importText(spanning(99_999));
    expect(result.scenario.phases).toHaveLength(100);
    expect(result.notes).toEqual([]);
  });

  it("widens to the smallest whole multiple that fits 100 phases, and says so", () => {
    // 399 000 ms: 3 000 ms gives 134 phases, 4 000 ms gives 100.
    const wide = importText(spanning(399_000));
    expect(wide.bucketMs).toBe(4000);
    expect(wide.scenario.phases).toHaveLength(100);
    expect(wide.scenario.phases.every((one) => one.forMs === 4000)).toBe(true);
    expect(wide.notes).toEqual(["bucket widened from 1000 ms to 4000 ms so the trace fits in 100 phases"]);
    // 250 000 ms: 2 000 ms gives 126 phases, 3 000 ms gives 84 (doubling would give 4 000 ms).
    expect(importText(spanning(250_000)).bucketMs).toBe(3000);
    // Exactly 100 buckets of span is 101 phases (the last timestamp opens one): 2 000 ms.
    expect(importText(spanning(100_000)).bucketMs).toBe(2000);
  });

  it("raises a bucket below 100 ms to 100 ms, and says so", () => {
    const result = importText(spanning(250), { bucketMs: 50 });
    expect(result.bucketMs).toBe(100);
    expect(result.scenario.phases).toHaveLength(3);
    expect(result.notes).toEqual(["bucket raised from 50 ms to 100 ms, the shortest phase"]);
  });

  it("refuses a trace that 100 phases of at most 1 h cannot hold", () => {
    const error = importError(spanning(360_000_000));
    expect(error.line).toBeNull();
    expect(error.message).toMatch(/^the trace spans 360000000 ms: 100 phases/);
  });

  it("caps latency and jitter at the lab's 60 000 ms, and says so", () => {
    const result = importText(oneBucket([10, 200_000, 200_000]));
    expect(phase(result)).toMatchObject({ latencyMs: 60_000, jitterMs: 60_000 });
    expect(result.notes).toEqual(["latency or jitter capped at 60000 ms (the lab's longest) in 1 phase"]);
  });

  it("refuses bad options, naming them", () => {
    expect(() => new TraceImporter({ bucketMs: 0 })).toThrow("bucketMs must be an integer from 1 to 3600000, got 0");
    expect(() => new TraceImporter({ bucketMs: 1.5 })).toThrow(RangeError);
    expect(() => new TraceImporter({ endpoint: "Bad Name" })).toThrow('endpoint must be 1-40 characters a-z, 0-9 or -, got "Bad Name"');
    expect(() => new TraceImporter({ name: "" })).toThrow(/^name must be/);
  });
});

describe("TraceImporter: errors name the line and what is wrong", () => {
  const header = "timestamp,status,latencyMs\n";
  const cases: Array<[text: string, line: number | null, message: string]> = [
    [`${header}1000,200,10\n\n1200,abc,10\n`, 4, 'line 4: status must be an integer from 100 to 599, got "abc"'],
    [`${header}1000,99,10\n`, 2, 'line 2: status must be an integer from 100 to 599, got "99"'],
    [`${header}1000,200.5,10\n`, 2, 'line 2: status must be an integer from 100 to 599, got "200.5"'],
    [`${header}1000,200,-5\n`, 2, 'line 2: latencyMs must be a finite number >= 0, got "-5"'],
    [`${header}1000,200,Infinity\n`, 2, 'line 2: latencyMs must be a finite number >= 0, got "Infinity"'],
    [`${header}1000,200,1e999\n`, 2, 'line 2: latencyMs must be a finite number >= 0, got "1e999"'],
    [`${header}1000,200,\n`, 2, 'line 2: latencyMs must be a finite number >= 0, got ""'],
    [`${header}1000,200\n`, 2, "line 2: latencyMs is missing"],
    [`${header}yesterday,200,1\n`, 2, 'line 2: timestamp must be epoch ms (a number) or an ISO 8601 date, got "yesterday"'],
    [`${header}2024-13-45T00:00:00Z,200,1\n`, 2, 'line 2: timestamp must be epoch ms (a number) or an ISO 8601 date, got "2024-13-45T00:00:00Z"'],
    [`${header}1000,200,1\n"open,200,1\n`, 3, "line 3: a quoted field is never closed"],
    ["time,status,latency\n1,200,1\n", 1, "line 1: the CSV header lacks the columns timestamp, latencyMs (it must name timestamp, status and latencyMs, in any order)"],
    ["timestamp,status,status,latencyMs\n", 1, "line 1: the CSV header names the column status twice"],
    ['{"timestamp":1,"status":200,"latencyMs":1}\n{"timestamp":2,"latencyMs":1}\n', 2, "line 2: status is missing"],
    ['{"timestamp":1,"status":200,"latencyMs":1}\n[1,2]\n', 2, "line 2: must be a JSON object, got an array"],
    ['{"timestamp":1,"status":200,"latencyMs":-1}\n', 1, "line 1: latencyMs must be a finite number >= 0, got -1"],
    ['{"timestamp":true,"status":200,"latencyMs":1}\n', 1, "line 1: timestamp must be epoch ms (a number) or an ISO 8601 date, got true"],
    ['[{"timestamp":1,"status":200,"latencyMs":1}]\n', 1, "line 1: a JSON array is not JSON lines: write one object a line"],
    ["", null, "the trace is empty"],
    ["\n  \r\n\n", null, "the trace is empty"],
    [header, null, "the trace holds no requests"],
  ];

  for (const [text, line, message] of cases) {
    it(message, () => {
      const error = importError(text);
      expect(error.message).toBe(message);
      expect(error.line).toBe(line);
    });
  }

  it("a line that is not JSON", () => {
    const error = importError('{"timestamp":1,"status":200,"latencyMs":1}\n\n{"timestamp":\n');
    expect(error.line).toBe(3);
    expect(error.message).toMatch(/^line 3: is not valid JSON \(.+\)$/);
  });

  it("a line longer than 1 MiB, without waiting for its end", () => {
    const importer = new TraceImporter();
    importer.push(header);
    expect(() => importer.push("x".repeat((1 << 20) + 1))).toThrow("line 2: is longer than 1048576 characters");
  });
});

describe("TraceImporter: the scenario it builds", () => {
  it("passes the lab's scenario schema, widened, capped and with empty buckets", () => {
    const rows: typeof ROWS = [...ROWS, [300_000, 503, 250_000], [123_456.5, 200, 0.25]];
    const result = importText(csvOf(rows), { bucketMs: 70 });
    expect(result.notes).toHaveLength(3);
    expect(scenarioSchema.safeParse(result.scenario).error).toBeUndefined();
  });

  it("runs in what-if at its own rate", async () => {
    const { scenario, rps } = importText(csvOf(ROWS));
    const { results } = await runWhatIf({ scenario, endpoint: "trace", traffic: { rps }, configs: [{ label: "c", options: {} }] });
    // Steady arrivals at k · 300 ms below 4 000 ms: k = 0..13.
    expect(results[0]!.calls).toBe(14);
  });
});
