/**
 * The login and consent pages of the interactive-login scenario. Both OPs render these same
 * pages, so that the HTML work per login is equal; the load generator reads the form back.
 */

const escapeHtml = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  )

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><main>${body}</main></body></html>`
}

/** The sign-in form: it posts `account` (and a password, ignored) back to `action`. */
export function loginPage(action: string, clientName: string): string {
  return page(
    'Sign in',
    `<h1>Sign in to ${escapeHtml(clientName)}</h1><form method="post" action="${escapeHtml(action)}"><label>Account <input name="account" value="alice"></label><label>Password <input type="password" name="password"></label><button>Sign in</button></form>`,
  )
}

/** The consent form: it posts `consent=yes` (and `remember=yes` when ticked) back to `action`. */
export function consentPage(action: string, clientName: string, scopes: readonly string[]): string {
  const items = scopes.map((scope) => `<li>${escapeHtml(scope)}</li>`).join('')
  return page(
    'Authorize',
    `<h1>${escapeHtml(clientName)} asks for</h1><ul>${items}</ul><form method="post" action="${escapeHtml(action)}"><input type="hidden" name="consent" value="yes"><label><input type="checkbox" name="remember" value="yes"> Remember</label><button>Allow</button></form>`,
  )
}

/** An HTML response that no cache keeps. */
export const HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
} as const
