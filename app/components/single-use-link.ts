// Pages behind a single-use e-mailed link: once their form is sent the token is used up, so
// re-running the loader would replace the success message with the "link already used" page.
import type { ShouldRevalidateFunction } from "@remix-run/react";

export const keepPageAfterSubmit: ShouldRevalidateFunction = ({ formMethod, defaultShouldRevalidate }) =>
  formMethod && formMethod.toUpperCase() !== "GET" ? false : defaultShouldRevalidate;
