import { stateQuerySchema } from "@/lib/api/schemas";
import { getHub } from "@/lib/lab/instance";
import { json, readQuery, route } from "@/lib/lab/http";

export const dynamic = "force-dynamic";

export const GET = route((request) => {
  const { view } = readQuery(request, stateQuerySchema);
  return json(view === "dashboard" ? getHub().dashboardState() : getHub().state());
});
