// Narrows an action's result to its failure shape for forms.
import type { ActionFailure } from "~/http.server";

export function failure(data: unknown): ActionFailure | undefined {
  return data && typeof data === "object" && "ok" in data && (data as { ok: unknown }).ok === false ? (data as ActionFailure) : undefined;
}
