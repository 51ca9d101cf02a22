import { type EndpointResponse, escapeHtml, redirectResponse, textResponse } from './response'

/** How the authorization response reaches the client (OAuth 2.0 Multiple Response Types 2.1, Form Post Response Mode 2). */
export type ResponseMode = 'query' | 'fragment' | 'form_post'

/** The response modes the authorization endpoint accepts. */
export const RESPONSE_MODES: ReadonlySet<string> = new Set<ResponseMode>([
  'query',
  'fragment',
  'form_post',
])

// The only script of the form_post page; its hash goes into the CSP so no other script can run.
const AUTO_SUBMIT = 'document.forms[0].submit()'
let scriptHash: Promise<string> | undefined

/** `sha256-…` of the auto-submit script, computed once (WebCrypto is async). */
function autoSubmitHash(): Promise<string> {
  scriptHash ??= crypto.subtle
    .digest('SHA-256', new TextEncoder().encode(AUTO_SUBMIT))
    .then((digest) => `sha256-${btoa(String.fromCharCode(...new Uint8Array(digest)))}`)
  return scriptHash
}

/** What to deliver to the client's redirect URI. */
export interface AuthorizationResponseInput {
  /** A registered (validated) redirect URI. */
  redirectUri: string
  mode: ResponseMode
  /** Response parameters (code, tokens, error, state, iss, ...). */
  params: Readonly<Record<string, string>>
}

/**
 * Delivers an authorization response or error to the client: `query` and `fragment` as a 303
 * redirect (application/x-www-form-urlencoded, RFC 6749 4.1.2, 4.2.2), `form_post` as an
 * auto-submitting HTML form (OAuth 2.0 Form Post Response Mode 2).
 *
 * @example
 * ```ts
 * return deliverAuthorizationResponse({
 *   redirectUri: 'https://client.example/cb',
 *   mode: 'query',
 *   params: { code, state, iss },
 * })
 * ```
 */
export async function deliverAuthorizationResponse(
  input: AuthorizationResponseInput,
): Promise<EndpointResponse> {
  const { redirectUri, mode, params } = input
  if (mode === 'form_post') return formPost(redirectUri, params)
  const encoded = new URLSearchParams(params).toString()
  const hash = redirectUri.indexOf('#')
  // Registration refuses fragments (RFC 6749 3.1.2); cut one anyway so ours is the only one.
  const base = hash === -1 ? redirectUri : redirectUri.slice(0, hash)
  if (mode === 'fragment') return redirectResponse(`${base}#${encoded}`)
  // RFC 6749 3.1.2: the query of the registered URI is kept, so append rather than re-encode it.
  const separator = !base.includes('?') ? '?' : /[?&]$/.test(base) ? '' : '&'
  return redirectResponse(encoded ? `${base}${separator}${encoded}` : base)
}

async function formPost(
  redirectUri: string,
  params: Readonly<Record<string, string>>,
): Promise<EndpointResponse> {
  const inputs = Object.entries(params)
    .map(
      ([name, value]) =>
        `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`,
    )
    .join('')
  const html =
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Submitting</title></head>' +
    `<body><form method="post" action="${escapeHtml(redirectUri)}">${inputs}` +
    '<noscript><p>JavaScript is disabled. Press the button to continue.</p>' +
    '<button type="submit">Continue</button></noscript></form>' +
    `<script>${AUTO_SUBMIT}</script></body></html>`
  return textResponse(html, {
    status: 200,
    headers: {
      'content-type': 'text/html;charset=utf-8',
      'cache-control': 'no-store',
      pragma: 'no-cache',
      // No form-action: browsers apply it to the redirects that follow the POST as well.
      'content-security-policy': `default-src 'none'; script-src '${await autoSubmitHash()}'; base-uri 'none'; frame-ancestors 'none'`,
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    },
  })
}
