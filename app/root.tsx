// The page shell: landmarks, navigation (by role), the language switch and error pages.
import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import {
  Form,
  isRouteErrorResponse,
  Link,
  Links,
  Meta,
  NavLink,
  Outlet,
  Scripts,
  ScrollRestoration,
  useLocation,
  useRouteError,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { config } from "./config.server";
import { useRootData, useT } from "./hooks";
import { requestLocale } from "./http.server";
import { messages } from "./i18n";
import { useNonce } from "./nonce";
import { can } from "./policies.server";
import { currentUser } from "./session.server";
import { db } from "./db.server";
import { unreadCount } from "./models/notifications.server";
import stylesUrl from "./styles.css";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesUrl },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await currentUser(request, context);
  const c = config();
  return {
    locale: requestLocale(request, user),
    user: user && {
      id: user.id,
      displayName: user.display_name,
      role: user.role,
      organisationName: user.organisation_name,
      managesUsers: can(user, "users.manage"),
      unread: await unreadCount(db(), user.id),
    },
    showOutbox: c.embedded || !c.production,
  };
}

export type RootData = Awaited<ReturnType<typeof loader>>;

function Shell({ children, title }: { children: ReactNode; title?: string }) {
  const nonce = useNonce();
  const data = useRootData();
  const t = messages(data?.locale);
  const location = useLocation();
  const here = location.pathname + location.search;
  const user = data?.user;
  return (
    <html lang={data?.locale === "en" ? "en" : "nl-BE"}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {title ? <title>{title}</title> : null}
        <Meta />
        <Links />
      </head>
      <body>
        <a className="skip-link" href="#main">
          {t("nav.skip")}
        </a>
        <header className="site-header">
          <Link to="/" className="brand">
            {t("app.name")}
          </Link>
          <nav aria-label={t("nav.main")} className="site-nav">
            <ul>
              <li>
                <NavLink to="/" end>
                  {t("nav.home")}
                </NavLink>
              </li>
              {user ? (
                <li>
                  <NavLink to="/codes/influencercode">{t("nav.draft")}</NavLink>
                </li>
              ) : null}
              {user?.managesUsers ? (
                <>
                  <li>
                    <NavLink to="/admin/people">{t("nav.people")}</NavLink>
                  </li>
                  <li>
                    <NavLink to="/admin/organisations">{t("nav.organisations")}</NavLink>
                  </li>
                </>
              ) : null}
              {data?.showOutbox ? (
                <li>
                  <NavLink to="/outbox">{t("nav.outbox")}</NavLink>
                </li>
              ) : null}
              {/* --- nav: comments, inbox and review (#6) --- */}
              {user ? (
                <>
                  <li>
                    <NavLink to="/codes/influencercode/review">{t("nav.review")}</NavLink>
                  </li>
                  <li>
                    <NavLink to="/inbox" data-testid="nav-inbox">
                      {t("nav.inbox")}
                      {user.unread > 0 ? (
                        <>
                          {" "}
                          <span className="tag tag-warn" data-testid="unread-count" aria-hidden="true">
                            {user.unread}
                          </span>
                          <span className="visually-hidden">{t("nav.inboxUnread", { count: user.unread })}</span>
                        </>
                      ) : null}
                    </NavLink>
                  </li>
                </>
              ) : null}


              {/* --- nav: releases (#7) --- */}
              <li>
                <NavLink to="/codes/influencercode/releases">{t("nav.releases")}</NavLink>
              </li>


              {/* --- nav: pledges (#8) --- */}
              <li>
                <NavLink to="/pledges">{t("nav.pledges")}</NavLink>
              </li>
              {user ? (
                <li>
                  <NavLink to="/account/data">{t("nav.myData")}</NavLink>
                </li>
              ) : null}


              {user ? (
                <li>
                  <NavLink to="/account" title={t("nav.signedInAs", { name: user.displayName })}>
                    {t("nav.account")}
                  </NavLink>
                </li>
              ) : (
                <li>
                  <NavLink to={`/login?redirectTo=${encodeURIComponent(here)}`}>{t("nav.login")}</NavLink>
                </li>
              )}
            </ul>
          </nav>
          <div className="header-tools">
            <Form method="post" action="/language" className="inline-form">
              <input type="hidden" name="locale" value={data?.locale === "en" ? "nl-BE" : "en"} />
              <input type="hidden" name="redirectTo" value={here} />
              <button type="submit" className="link-button" lang={data?.locale === "en" ? "nl-BE" : "en"}>
                {t("nav.languageSwitch")}
              </button>
            </Form>
            {user ? (
              <Form method="post" action="/logout" className="inline-form">
                <button type="submit" className="link-button">
                  {t("nav.logout")}
                </button>
              </Form>
            ) : null}
          </div>
        </header>
        <main id="main" tabIndex={-1}>
          {children}
        </main>
        <footer className="site-footer">
          <p>{t("footer.text")}</p>
          <p>{t("footer.help")}</p>
        </footer>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return (
    <Shell>
      <Outlet />
    </Shell>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const t = useT();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const message = isRouteErrorResponse(error)
    ? ((error.data as { message?: string } | null)?.message ??
      (status === 404 ? t("errors.notFound") : status === 403 ? t("errors.forbidden") : t("errors.server")))
    : t("errors.server");
  return (
    <Shell title={`${status} · ${t("app.name")}`}>
      <section className="error-page" aria-labelledby="error-title">
        <h1 id="error-title">
          {status === 404 ? t("errors.notFound") : t("errors.title")} <span className="status">({status})</span>
        </h1>
        <p>{message}</p>
        <p>
          <Link to="/">{t("errors.back")}</Link>
        </p>
      </section>
    </Shell>
  );
}
