// A model call's outcome as the HTTP status its coded error maps to (200 when it succeeds), so a
// model-level test reads like the HTTP one.
import { isAppError } from "../../app/domain/errors";

export async function status(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (e) {
    if (isAppError(e)) return e.status;
    throw e;
  }
}
