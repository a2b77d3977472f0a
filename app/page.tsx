import { connection } from "next/server";
import { getHub } from "@/lib/lab/instance";
import { Dashboard } from "./_components/dashboard";

// Rendered per request: the first paint shows the lab as it is now, and the CSP nonce is fresh.
export default async function DashboardPage() {
  await connection();
  return (
    <main>
      <Dashboard initialState={getHub().dashboardState()} initialScenarios={getHub().listScenarios()} />
    </main>
  );
}
