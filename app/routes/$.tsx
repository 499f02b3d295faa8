// Any unknown path: a Dutch (or English) 404 page through the root error boundary.
import { json } from "@remix-run/node";

export function loader() {
  throw json({ message: null }, { status: 404 });
}

export function action() {
  throw json({ message: null }, { status: 404 });
}

export default function NotFound() {
  return null;
}
