/**
 * The library benchmark: our breaker against opossum and cockatiel in one process, scenario by
 * scenario, in interleaved rounds with a bare `await fn()` baseline; then memory.
 */
import CircuitBreakerOpossum from "opossum";
import { circuitBreaker, ConsecutiveBreaker, handleAll, SamplingBreaker } from "cockatiel";
import {
  baselineSubject,
  calibrateIterations,
  heapGrowth,
  interleavedRounds,
  resolvedTarget,
  type RoundsResult,
  type Subject,
} from "./harness";
import { TIME_WINDOW_FLOOR, TIMEOUT_FLOOR, timeoutFloorSubject, timeWindowFloorSubject } from "./floors";
import { loadCompiledBreaker, ourSubject } from "./ours";
import { runPackageBenchmark, type PackageResults } from "./package";
import { SCENARIOS, disposeAll, largeWindowScenario, type Scenario } from "./peers";

export interface SubjectResult {
  name: string;
  medianNs: number;
  minNs: number;
  maxNs: number;
  overheadNs: number;
  iterations: number;
}

export interface ScenarioResult {
  id: string;
  title: string;
  baselineNs: number;
  subjects: SubjectResult[];
}

/**
 * A goal of the issue: our overhead against a peer's (or, for flatness, our whole cost against
 * our own in another configuration), as a ratio that must not exceed `limit`.
 */
export interface RatioGoal {
  scenario: string;
  ours: string;
  peer: string;
  measure: "overhead" | "total";
  limit: number;
  ratio: number;
  met: boolean;
}

export interface MemoryResult {
  name: string;
  bytes: number;
  perItemBytes?: number;
}

export interface LibraryResults {
  scenarios: ScenarioResult[];
  goals: RatioGoal[];
  memory: { callsInTimeWindow: MemoryResult[]; idleBreakers: MemoryResult[] };
  package: PackageResults;
}

interface Plan {
  scenario: Scenario;
  rounds: number;
  warmupRounds: number;
  minIterations: number;
  /**
   * Most calls per measurement. Scenario e needs a cap: its failing calls pile up in the windows,
   * and cockatiel's (which cannot be told never to trip) would open past 50 % failures.
   */
  maxIterations?: number;
  /** Our subjects for this scenario (given the compiled module). */
  ours: (module: Awaited<ReturnType<typeof loadCompiledBreaker>>) => Promise<Subject[]>;
  useTryCall?: boolean;
}

const BUDGET_MS = 25;

function plans(quick: boolean): Plan[] {
  const rounds = quick ? 5 : 15;
  const slowRounds = quick ? 3 : 5;
  // The floor of a path is timed in the same rounds as our breaker, as one more subject.
  const prepared = (scenario: Scenario, floor?: () => Subject) => async (module: Awaited<ReturnType<typeof loadCompiledBreaker>>) => {
    const subject = ourSubject(module, "breaker-lab", scenario.ours, scenario.expect === "reject" && scenario.id === "d" ? "open" : "closed");
    await scenario.prepare(subject);
    return floor ? [subject, floor()] : [subject];
  };
  const large = largeWindowScenario({ maxLatencyMs: 20 });
  return [
    { scenario: SCENARIOS.a, rounds, warmupRounds: 3, minIterations: 1_000, ours: prepared(SCENARIOS.a) },
    { scenario: SCENARIOS.b, rounds, warmupRounds: 3, minIterations: 1_000, ours: prepared(SCENARIOS.b, timeWindowFloorSubject) },
    { scenario: SCENARIOS.c, rounds, warmupRounds: 3, minIterations: 500, ours: prepared(SCENARIOS.c, timeoutFloorSubject) },
    {
      scenario: SCENARIOS.d,
      rounds,
      warmupRounds: 3,
      minIterations: 1_000,
      useTryCall: true,
      ours: async (module) => {
        const thrown = ourSubject(module, "breaker-lab execute (catch)", SCENARIOS.d.ours, "open", "execute");
        const tried = ourSubject(module, "breaker-lab tryExecute", SCENARIOS.d.ours, "open", "tryExecute");
        await SCENARIOS.d.prepare(thrown);
        await SCENARIOS.d.prepare(tried);
        return [thrown, tried];
      },
    },
    {
      scenario: large,
      rounds: slowRounds,
      warmupRounds: 1,
      minIterations: 10,
      maxIterations: 2_000,
      ours: async (module) => {
        const full = ourSubject(module, "breaker-lab (window of 100 000)", large.ours, "closed");
        await large.prepare(full);
        // The same breaker with an empty window: the failure path must cost the same.
        const empty = ourSubject(module, "breaker-lab (empty window)", large.ours, "closed");
        return [full, empty];
      },
    },
  ];
}

function costOf(result: ScenarioResult, name: string, measure: RatioGoal["measure"]): number {
  const subject = result.subjects.find((candidate) => candidate.name === name);
  if (!subject) throw new Error(`no subject ${name} in scenario ${result.id}`);
  return measure === "overhead" ? subject.overheadNs : subject.medianNs;
}

function ratioGoal(result: ScenarioResult, ours: string, peer: string, limit: number, measure: RatioGoal["measure"] = "overhead"): RatioGoal {
  const ratio = costOf(result, ours, measure) / costOf(result, peer, measure);
  return { scenario: result.id, ours, peer, measure, limit, ratio, met: ratio <= limit };
}

async function runScenario(plan: Plan, module: Awaited<ReturnType<typeof loadCompiledBreaker>>, log: (line: string) => void): Promise<ScenarioResult> {
  const { scenario } = plan;
  const peers = await scenario.createPeers();
  const ours = await plan.ours(module);
  const subjects = [...ours, ...peers];
  const baseline = baselineSubject();
  const counts = new Map<Subject, number>();
  let rounds: RoundsResult;
  try {
    for (const subject of [baseline, ...subjects]) {
      counts.set(
        subject,
        await calibrateIterations(subject, {
          target: scenario.target,
          expect: scenario.expect,
          useTryCall: plan.useTryCall,
          budgetMs: BUDGET_MS,
          min: plan.minIterations,
          max: plan.maxIterations,
        }),
      );
    }
    rounds = await interleavedRounds(subjects, {
      rounds: plan.rounds,
      warmupRounds: plan.warmupRounds,
      iterations: (subject) => counts.get(subject)!,
      target: scenario.target,
      expect: scenario.expect,
      useTryCall: plan.useTryCall,
      baseline,
    });
  } finally {
    disposeAll(subjects);
  }
  const toResult = (stats: RoundsResult["subjects"][number], subject: Subject): SubjectResult => ({
    name: stats.name,
    medianNs: stats.medianNs,
    minNs: stats.minNs,
    maxNs: stats.maxNs,
    overheadNs: stats.overheadNs,
    iterations: counts.get(subject)!,
  });
  log(`  ${scenario.id}. ${scenario.title}: done`);
  return {
    id: scenario.id,
    title: scenario.title,
    baselineNs: rounds.baseline!.medianNs,
    subjects: rounds.subjects.map((stats, index) => toResult(stats, subjects[index]!)),
  };
}

async function memory(breakerModule: Awaited<ReturnType<typeof loadCompiledBreaker>>, calls: number) {
  const callsInTimeWindow: MemoryResult[] = [];
  const ours = new breakerModule.CircuitBreaker({ slidingWindow: { type: "time", ms: 60_000 } });
  await ours.execute(resolvedTarget);
  const oursGrowth = await heapGrowth(async () => {
    for (let call = 0; call < calls; call++) await ours.execute(resolvedTarget);
    return ours;
  });
  callsInTimeWindow.push({ name: "breaker-lab", bytes: oursGrowth.growthBytes });

  const cockatiel = circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new SamplingBreaker({ threshold: 0.5, duration: 60_000 }) });
  await cockatiel.execute(resolvedTarget);
  const cockatielGrowth = await heapGrowth(async () => {
    for (let call = 0; call < calls; call++) await cockatiel.execute(resolvedTarget);
    return cockatiel;
  });
  callsInTimeWindow.push({ name: "cockatiel (SamplingBreaker)", bytes: cockatielGrowth.growthBytes });

  const opossum = new CircuitBreakerOpossum(resolvedTarget, { timeout: false, rollingCountTimeout: 60_000 });
  await opossum.fire();
  const opossumGrowth = await heapGrowth(async () => {
    for (let call = 0; call < calls; call++) await opossum.fire();
    return opossum;
  });
  opossum.shutdown();
  callsInTimeWindow.push({ name: "opossum (rolling window, percentiles on)", bytes: opossumGrowth.growthBytes });

  const idleBreakers: MemoryResult[] = [];
  const count = 10_000;
  const oursIdle = await heapGrowth(() =>
    Array.from({ length: count }, (_, index) => new breakerModule.CircuitBreaker({ name: `b${index}`, slidingWindow: { type: "count", size: 20 } })),
  );
  idleBreakers.push({ name: "breaker-lab (count window of 20)", bytes: oursIdle.growthBytes, perItemBytes: oursIdle.growthBytes / count });
  const oursConsecutive = await heapGrowth(() => Array.from({ length: count }, (_, index) => new breakerModule.CircuitBreaker({ name: `b${index}` })));
  idleBreakers.push({ name: "breaker-lab (consecutive)", bytes: oursConsecutive.growthBytes, perItemBytes: oursConsecutive.growthBytes / count });
  const cockatielIdle = await heapGrowth(() =>
    Array.from({ length: count }, () => circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) })),
  );
  idleBreakers.push({ name: "cockatiel (ConsecutiveBreaker)", bytes: cockatielIdle.growthBytes, perItemBytes: cockatielIdle.growthBytes / count });
  const opossumIdle = await heapGrowth(() => Array.from({ length: count }, () => new CircuitBreakerOpossum(resolvedTarget, { timeout: false })));
  for (const breaker of opossumIdle.result) breaker.shutdown();
  idleBreakers.push({ name: "opossum", bytes: opossumIdle.growthBytes, perItemBytes: opossumIdle.growthBytes / count });
  return { callsInTimeWindow, idleBreakers };
}

export async function runLibraryBenchmark({ quick = false, log = console.log }: { quick?: boolean; log?: (line: string) => void } = {}): Promise<LibraryResults> {
  const breakerModule = await loadCompiledBreaker();
  const scenarios: ScenarioResult[] = [];
  for (const plan of plans(quick)) scenarios.push(await runScenario(plan, breakerModule, log));
  const [a, b, c, d, e] = scenarios as [ScenarioResult, ScenarioResult, ScenarioResult, ScenarioResult, ScenarioResult];
  const goals: RatioGoal[] = [
    ratioGoal(a, "breaker-lab", "cockatiel", 0.5),
    ratioGoal(a, "breaker-lab", "opossum", 0.1),
    ratioGoal(b, "breaker-lab", "cockatiel", 0.35),
    ratioGoal(b, "breaker-lab", TIME_WINDOW_FLOOR, 1.25),
    ratioGoal(c, "breaker-lab", "opossum", 0.2),
    ratioGoal(c, "breaker-lab", TIMEOUT_FLOOR, 1.25),
    ratioGoal(d, "breaker-lab execute (catch)", "cockatiel", 0.1),
    ratioGoal(d, "breaker-lab tryExecute", "cockatiel", 0.1),
    ratioGoal(e, "breaker-lab (window of 100 000)", "breaker-lab (empty window)", 1.2, "total"),
  ];
  log("  memory…");
  const memoryResults = await memory(breakerModule, quick ? 200_000 : 1_000_000);
  log("  package…");
  return { scenarios, goals, memory: memoryResults, package: await runPackageBenchmark(breakerModule, quick) };
}
