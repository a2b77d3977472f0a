import { getHub } from "@/lib/lab/instance";
import { nameOf, route } from "@/lib/lab/http";
import { mockResponse } from "@/lib/lab/mock";

export const dynamic = "force-dynamic";

// The mock upstream answers any method the same way: its fault model decides.
const answer = route(async (request, context: RouteContext<"/api/mock/[name]">) =>
  mockResponse(getHub(), await nameOf(context), request.signal),
);

export { answer as DELETE, answer as GET, answer as HEAD, answer as OPTIONS, answer as PATCH, answer as POST, answer as PUT };
