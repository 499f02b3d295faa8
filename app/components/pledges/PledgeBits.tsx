// Small pieces shared by the registry and the pledge page: status tag and handle links.
import { handleUrl, HANDLES, type HandleKind } from "~/domain/pledges";
import { useT } from "~/hooks";

export type Status = "active" | "outdated" | "withdrawn" | "unconfirmed";

export function StatusTag({ status }: { status: Status }) {
  const t = useT();
  const cls = status === "active" ? "tag tag-ok" : status === "withdrawn" ? "tag tag-danger" : "tag tag-warn";
  return (
    <span className={cls} data-status={status}>
      {t(`pledge.status.${status}`)}
    </span>
  );
}

export function Handles({ handles }: { handles: Partial<Record<HandleKind, string>> }) {
  const t = useT();
  const present = HANDLES.filter((h) => handles[h]);
  if (!present.length) return null;
  return (
    <ul className="pledge-handles">
      {present.map((h) => (
        <li key={h}>
          <a href={handleUrl[h](handles[h]!)} rel="nofollow noopener noreferrer ugc">
            <span className="visually-hidden">{t(`pledge.sign.${h}`)}: </span>
            <span aria-hidden="true" className="handle-kind">
              {t(`pledge.sign.${h}`)}
            </span>{" "}
            @{handles[h]}
          </a>
        </li>
      ))}
    </ul>
  );
}
