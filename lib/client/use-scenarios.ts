"use client";

import useSWR from "swr";
import type { ScenarioList } from "@/lib/api/types";
import type { Scenario } from "@/lib/simulator";
import { apiRequest } from "./api";
import { SCENARIOS_KEY } from "./scenarios";

/** The presets and saved scenarios, first from the page's render, then from `/api/scenarios`. */
export function useScenarios(initial: Scenario[]) {
  const { data, mutate } = useSWR<ScenarioList>(SCENARIOS_KEY, (path: string) => apiRequest<ScenarioList>(path), {
    fallbackData: { scenarios: initial },
    revalidateOnMount: false,
  });
  return { scenarios: data?.scenarios ?? initial, reload: () => void mutate() };
}
