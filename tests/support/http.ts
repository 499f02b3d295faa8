// A tiny browser-like HTTP client for tests: our Origin on every POST, one cookie jar.
let clients = 0;

/** Each client appears to come from its own address (the test app trusts X-Forwarded-For). */
function nextAddress(): string {
  clients++;
  return `198.51.${Math.floor(clients / 250) % 250}.${(clients % 250) + 1}`;
}

export class Client {
  cookie = "";
  readonly ip = nextAddress();
  constructor(
    readonly base: string,
    readonly origin: string = base,
  ) {}

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    const res = await fetch(this.base + path, {
      redirect: "manual",
      headers: { "X-Forwarded-For": this.ip, ...(this.cookie ? { Cookie: this.cookie } : {}), ...headers },
    });
    this.keep(res);
    return res;
  }

  async post(path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    const res = await fetch(this.base + path, {
      method: "POST",
      redirect: "manual",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Origin: this.origin,
        "X-Forwarded-For": this.ip,
        ...(this.cookie ? { Cookie: this.cookie } : {}),
        ...headers,
      },
      body: new URLSearchParams(form).toString(),
    });
    this.keep(res);
    return res;
  }

  async login(email: string, password = "codewerf-demo"): Promise<Response> {
    const res = await this.post("/login", { email, password, redirectTo: "/" });
    if (res.status !== 302) throw new Error(`login as ${email} failed: ${res.status} ${await res.text()}`);
    return res;
  }

  private keep(res: Response) {
    const set = res.headers.getSetCookie().find((c) => c.startsWith("codewerf_session="));
    if (set) {
      const pair = set.split(";")[0];
      this.cookie = pair.endsWith("=") ? "" : pair;
    }
  }
}

/** The visible text of an HTML page (tags stripped), for assertions a reader would make. */
export function pageText(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/\s+/g, " ");
}
