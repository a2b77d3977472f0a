import type { Metadata } from "next";
import { connection } from "next/server";
import { getHub } from "@/lib/lab/instance";
import { WhatIfLab } from "./_components/whatif-lab";

export const metadata: Metadata = { title: "What if? · Breaker Lab" };

// Rendered per request: the lab's breakers and saved scenarios as they are now.
export default async function WhatIfPage() {
  await connection();
  const hub = getHub();
  return (
    <main>
      <WhatIfLab scenarios={hub.listScenarios()} breakers={hub.listBreakers()} />
    </main>
  );
}
