/**
 * Every refusal the lab's API answers with: its stable code and the HTTP status it travels with.
 * One table, so a code cannot be sent with two statuses and a client can switch on the union.
 */
export const LAB_ERROR_STATUS = {
  invalid_json: 400,
  invalid_body: 400,
  invalid_query: 400,
  invalid_options: 400,
  unknown_endpoint: 400,
  unknown_scenario: 400,
  unauthorized: 401,
  breaker_not_found: 404,
  endpoint_not_found: 404,
  scenario_not_found: 404,
  duplicate_name: 409,
  preset: 409,
  limit_reached: 409,
  body_too_large: 413,
  unsupported_media_type: 415,
  busy: 429,
} as const satisfies Record<string, 400 | 401 | 404 | 409 | 413 | 415 | 429>;

export type LabErrorCode = keyof typeof LAB_ERROR_STATUS;
export type LabErrorStatus = (typeof LAB_ERROR_STATUS)[LabErrorCode];

/** The code of an unexpected server error (500): a bug, never a refusal. */
export const INTERNAL_ERROR_CODE = "internal";

/** What to tell a person about a failed request or task: the error's message, whatever was thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
