import { stateQuerySchema } from "@/lib/api/schemas";
import { getHub } from "@/lib/lab/instance";
import { json, jsonText, readQuery, route } from "@/lib/lab/http";

export const dynamic = "force-dynamic";

export const GET = route((request) => {
  const { view } = readQuery(request, stateQuerySchema);
  return view === "dashboard" ? json(getHub().dashboardState()) : jsonText(getHub().stateJson());
});
