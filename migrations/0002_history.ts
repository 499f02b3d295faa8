// Version history and attribution (issue 5). Forward-only: never edit after it has shipped.
import type { Kysely } from "kysely";

export async function up(_db: Kysely<any>): Promise<void> {}
