import {
  type EndpointResponse,
  escapeHtml,
  type OAuthError,
  type RequestLike,
  renderError,
  type ServerContext,
  TextResponse,
} from '@oidkit/oauth2'

const STYLE =
  '<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}' +
  'button{font:inherit;padding:.5rem 1.5rem;cursor:pointer}</style>'

/**
 * The `form-action` sources a page needs: its own origin, plus where the confirmed POST is
 * redirected (browsers apply form-action to redirects that follow a form submission).
 */
function formAction(redirectTarget: string | undefined): string {
  if (redirectTarget === undefined) return "'self'"
  let url: URL
  try {
    url = new URL(redirectTarget)
  } catch {
    return "'self'"
  }
  // Private-use schemes of native apps have no origin; a scheme source allows them.
  const source = url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : url.protocol
  return `'self' ${source}`
}

function page(
  title: string,
  body: string,
  options: { status?: number; formAction?: string } = {},
): EndpointResponse {
  const html =
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(title)}</title>${STYLE}</head><body>${body}</body></html>`
  return new TextResponse(html, {
    status: options.status ?? 200,
    headers: {
      'content-type': 'text/html;charset=utf-8',
      'cache-control': 'no-store',
      pragma: 'no-cache',
      'content-security-policy':
        "default-src 'none'; style-src 'unsafe-inline'; " +
        `form-action ${options.formAction ?? "'none'"}; frame-ancestors 'none'`,
      'x-content-type-options': 'nosniff',
      // The logout URL carries the id_token_hint; it must not leak to other sites.
      'referrer-policy': 'no-referrer',
    },
  })
}

/** What the built-in confirmation page shows and submits. */
export interface ConfirmationPageInput {
  /** The end_session_endpoint URL the form posts to. */
  action: string
  logoutId: string
  xsrf: string
  clientName?: string
  /** Where a confirmed logout is redirected, for the page's CSP. */
  postLogoutRedirectUri?: string
}

/**
 * The built-in logout confirmation (RP-Initiated Logout 1.0 2: the OP SHOULD ask the end-user):
 * one form posting back with the pending logout id and its CSRF token, one button.
 *
 * @example
 * ```ts
 * return confirmationPage(server, { action, logoutId, xsrf, clientName: 'The App' })
 * ```
 */
export function confirmationPage(
  server: ServerContext,
  input: ConfirmationPageInput,
): EndpointResponse {
  const host = escapeHtml(new URL(server.issuer).host)
  const from = input.clientName ? ` for <strong>${escapeHtml(input.clientName)}</strong>` : ''
  const body =
    `<h1>Sign out</h1><p>Do you want to sign out of <strong>${host}</strong>?</p>` +
    `<p>The sign-out was requested${from}.</p>` +
    `<form method="post" action="${escapeHtml(input.action)}">` +
    `<input type="hidden" name="logout_id" value="${escapeHtml(input.logoutId)}">` +
    `<input type="hidden" name="xsrf" value="${escapeHtml(input.xsrf)}">` +
    '<button type="submit" autofocus>Sign out</button></form>'
  return page('Sign out', body, { formAction: formAction(input.postLogoutRedirectUri) })
}

/**
 * The built-in page after a logout without a (valid) post_logout_redirect_uri.
 *
 * @example
 * ```ts
 * return loggedOutPage(server, true)
 * ```
 */
export function loggedOutPage(server: ServerContext, loggedOut: boolean): EndpointResponse {
  const host = escapeHtml(new URL(server.issuer).host)
  return loggedOut
    ? page(
        'Signed out',
        `<h1>Signed out</h1><p>You have signed out of <strong>${host}</strong>.</p>`,
      )
    : page(
        'Still signed in',
        `<h1>Still signed in</h1><p>You are still signed in at <strong>${host}</strong>.</p>`,
      )
}

/**
 * An end_session_endpoint error, never redirected: the integrator's `interactions.renderError`,
 * else an HTML page for browsers and RFC 6749 5.2 JSON for others.
 *
 * @example
 * ```ts
 * return logoutErrorPage(server, request, new OAuthError('invalid_request', 'bad id_token_hint'))
 * ```
 */
export function logoutErrorPage(
  server: ServerContext,
  request: RequestLike,
  error: OAuthError,
): Promise<EndpointResponse> {
  return renderError(server, request, error, 'Sign-out error')
}
