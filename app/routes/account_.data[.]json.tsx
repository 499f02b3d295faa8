// Downloads everything stored about the signed-in person as one JSON file.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { db } from "~/db.server";
import { exportMyData } from "~/models/privacy.server";
import { requireUser } from "~/session.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const data = await exportMyData(db(), user.id);
  return new Response(JSON.stringify(data, null, 2), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="codewerf-mijn-gegevens.json"`,
      "Cache-Control": "private, no-store",
    },
  });
}
