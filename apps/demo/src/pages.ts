import { html, raw, type SafeHtml } from './html'
import { STYLES } from './styles'

/** What every page knows: the issuer it speaks for. */
export interface PageContext {
  issuer: string
}

/** The client as the pages show it. */
export interface ClientView {
  client_id: string
  client_name?: string | undefined
  client_uri?: string | undefined
  policy_uri?: string | undefined
  tos_uri?: string | undefined
}

/** The whole document: header with the issuer, the page's card, a footer. */
function layout(
  context: PageContext,
  title: string,
  content: SafeHtml,
  options: { wide?: boolean } = {},
): string {
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · oidkit demo</title>
<style>${raw(STYLES)}</style>
</head>
<body>
<header class="site">
<a class="brand" href="${new URL('./', `${context.issuer}/`).href}"><span class="mark" aria-hidden="true">id</span>oidkit demo</a>
<span class="issuer" title="Issuer identifier"><span class="sr-only">Issuer: </span>${context.issuer}</span>
</header>
<main${options.wide ? raw(' class="wide"') : ''}>
${content}
</main>
<footer>A demonstration OpenID Provider. Never enter a real password here.</footer>
</body>
</html>
`.value
}

/** Only http(s) links are shown; anything else a client registered is left out. */
function webLink(uri: string | undefined): string | undefined {
  if (uri === undefined) return undefined
  try {
    const url = new URL(uri)
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined
  } catch {
    return undefined
  }
}

const clientName = (client: ClientView) => client.client_name || client.client_id

/**
 * The client's identity block. Its `logo_uri` is not loaded: the pages' CSP allows no image,
 * and fetching it would tell the client's host who is looking at the consent page. A monogram
 * stands in for it.
 */
function clientHeader(client: ClientView, heading: SafeHtml | string, sub: SafeHtml | string) {
  const initial = clientName(client).trim().charAt(0).toUpperCase() || '?'
  return html`<div class="client">
<div class="avatar" aria-hidden="true">${initial}</div>
<div><h1>${heading}</h1><p>${sub}</p></div>
</div>`
}

function clientLinks(client: ClientView): SafeHtml {
  const links = [
    [webLink(client.client_uri), 'Website'],
    [webLink(client.policy_uri), 'Privacy policy'],
    [webLink(client.tos_uri), 'Terms of service'],
  ].filter((link): link is [string, string] => link[0] !== undefined)
  if (links.length === 0) return html``
  return html`<p class="links">${links.map(
    ([href, label]) => html`<a href="${href}" rel="noopener noreferrer">${label}</a>`,
  )}</p>`
}

/** Who is signed in, with a monogram (no emoji: not every system has the glyphs). */
function accountBadge(account: { name: string; username: string }): SafeHtml {
  const initial = account.name.trim().charAt(0).toUpperCase() || '?'
  return html`<div class="account"><span class="who" aria-hidden="true">${initial}</span><span>Signed in as <strong>${account.name}</strong> (${account.username})</span></div>`
}

function alert(message: string | undefined): SafeHtml {
  if (!message) return html``
  return html`<div class="alert" role="alert"><span class="icon" aria-hidden="true">!</span><span>${message}</span></div>`
}

/** What the login page shows. */
export interface LoginPageInput {
  action: string
  csrf: string
  client: ClientView
  username?: string | undefined
  error?: string | undefined
}

/**
 * The login page: username and password, posted with the interaction's CSRF token.
 *
 * @example
 * ```ts
 * res.send(loginPage({ issuer }, { action, csrf, client }))
 * ```
 */
export function loginPage(context: PageContext, input: LoginPageInput): string {
  const content = html`<div class="card">
${clientHeader(input.client, 'Sign in', html`to continue to <strong>${clientName(input.client)}</strong>`)}
${alert(input.error)}
<form method="post" action="${input.action}" novalidate>
<input type="hidden" name="csrf" value="${input.csrf}">
<label for="username">Username</label>
<input type="text" id="username" name="username" value="${input.username ?? ''}" autocomplete="username" autocapitalize="none" spellcheck="false" required${input.username ? '' : raw(' autofocus')}>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required${input.username ? raw(' autofocus') : ''}>
<button type="submit" class="primary block">Sign in</button>
</form>
<p class="hint">Demo accounts: <code>alice</code> / <code>wonderland</code> and <code>bob</code> / <code>builder</code>.</p>
</div>`
  return layout(context, 'Sign in', content)
}

/** The scopes in the end-user's words (OIDC Core 5.4 for the claim-bearing ones). */
const SCOPE_WORDS: Readonly<Record<string, [string, string]>> = {
  openid: ['Know who you are', 'Sign you in with your account identifier'],
  profile: [
    'Your profile',
    'Name, username, profile page, picture, website, gender, birthdate, time zone and language',
  ],
  email: ['Your email address', 'And whether it has been verified'],
  address: ['Your postal address', 'Street, city, region, postal code and country'],
  phone: ['Your phone number', 'And whether it has been verified'],
  offline_access: [
    'Stay connected',
    'Keep access to this information while you are not using the app',
  ],
}

/** What the consent page shows. */
export interface ConsentPageInput {
  action: string
  csrf: string
  client: ClientView
  scopes: readonly string[]
  /** Individual claims asked for with the `claims` parameter (OIDC Core 5.5). */
  claims: ReadonlyArray<{ name: string; essential: boolean }>
  account: { name: string; username: string }
}

/**
 * The consent page: who asks, for what, in plain words. The first submit button approves and
 * the second one (`decision=deny`) refuses.
 *
 * @example
 * ```ts
 * res.send(consentPage({ issuer }, { action, csrf, client, scopes, claims: [], account }))
 * ```
 */
export function consentPage(context: PageContext, input: ConsentPageInput): string {
  const scopes = input.scopes.map((scope) => {
    const [title, detail] = SCOPE_WORDS[scope] ?? [scope, 'A permission defined by this server']
    return html`<li><span class="tick" aria-hidden="true">✓</span><div><strong>${title}</strong><span>${detail}</span></div></li>`
  })
  const claims =
    input.claims.length === 0
      ? html``
      : html`<h2>Specific details requested</h2>
<ul class="list">${input.claims.map(
          (claim) =>
            html`<li><span class="tick" aria-hidden="true">✓</span><div><strong><code>${claim.name}</code></strong><span>${claim.essential ? 'Required by the app' : 'Optional'}</span></div></li>`,
        )}</ul>`
  const content = html`<div class="card">
${clientHeader(input.client, clientName(input.client), 'wants to access your account')}
${accountBadge(input.account)}
<h2>This will allow the app to</h2>
<ul class="list">${scopes}</ul>
${claims}
<form method="post" action="${input.action}">
<input type="hidden" name="csrf" value="${input.csrf}">
<div class="actions">
<button type="submit" name="decision" value="approve" class="primary">Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</div>
</form>
${clientLinks(input.client)}
<p class="hint">Allow shares this information with ${clientName(input.client)}. Deny returns you to the app without sharing anything.</p>
</div>`
  return layout(context, `Allow ${clientName(input.client)}?`, content)
}

/** What the logout confirmation shows. */
export interface LogoutPageInput {
  action: string
  csrf: string
  client?: ClientView | undefined
  account?: { name: string; username: string } | undefined
}

/**
 * The RP-Initiated Logout confirmation (OpenID Connect RP-Initiated Logout 1.0 2): one form,
 * one button.
 *
 * @example
 * ```ts
 * res.send(logoutPage({ issuer }, { action, csrf }))
 * ```
 */
export function logoutPage(context: PageContext, input: LogoutPageInput): string {
  const from = input.client
    ? html`<strong>${clientName(input.client)}</strong> asked to sign you out.`
    : 'An application asked to sign you out.'
  const who = input.account ? accountBadge(input.account) : html``
  const content = html`<div class="card">
<h1>Sign out?</h1>
<p class="lead">${from} Do you want to end your session at this provider?</p>
${who}
<form method="post" action="${input.action}">
<input type="hidden" name="csrf" value="${input.csrf}">
<button type="submit" class="primary block">Sign out</button>
</form>
<p class="hint">To stay signed in, just close this page.</p>
</div>`
  return layout(context, 'Sign out', content)
}

/**
 * The page after a logout that has no registered post_logout_redirect_uri to go back to.
 *
 * @example
 * ```ts
 * res.send(loggedOutPage({ issuer }))
 * ```
 */
export function loggedOutPage(context: PageContext): string {
  const content = html`<div class="card">
<h1>You are signed out</h1>
<p class="lead">Your session at this provider has ended. You can close this window.</p>
<a href="${new URL('./', `${context.issuer}/`).href}">Back to the home page</a>
</div>`
  return layout(context, 'Signed out', content)
}

/** What an error page shows. */
export interface ErrorPageInput {
  title: string
  /** What happened and what to do, for the end-user. */
  message: string
  /** The OAuth error code, for the developers. */
  code?: string | undefined
  /** The error description, for the developers. */
  detail?: string | undefined
}

/**
 * An error shown to the end-user: a title, what to do, and the OAuth error code and
 * description for whoever debugs the client.
 *
 * @example
 * ```ts
 * res.status(403).send(errorPage({ issuer }, { title: 'Forbidden', message: '...' }))
 * ```
 */
export function errorPage(context: PageContext, input: ErrorPageInput): string {
  const detail = input.detail ? html`: ${input.detail.replace(/\.?$/, '.')}` : '.'
  const content = html`<div class="card">
<h1>${input.title}</h1>
<p class="lead">${input.message}</p>
${input.code ? html`<p class="hint">Error <code>${input.code}</code>${detail}</p>` : ''}
</div>`
  return layout(context, input.title, content)
}

/** What the home page lists. */
export interface HomePageInput {
  discoveryUrl: string
  /** Endpoint URLs from the discovery document, by metadata name. */
  endpoints: ReadonlyArray<[string, string]>
  registrationUrl?: string | undefined
}

/**
 * The home page: what this OP is, its discovery document and endpoints, the demo accounts.
 *
 * @example
 * ```ts
 * res.send(homePage({ issuer }, { discoveryUrl, endpoints }))
 * ```
 */
export function homePage(context: PageContext, input: HomePageInput): string {
  const register = input.registrationUrl
    ? html`<h2>Register a client</h2>
<p>Registration is open (RFC 7591, no initial access token), with RFC 7592 management:</p>
<pre>curl ${input.registrationUrl} \\
  -H 'content-type: application/json' \\
  -d '{"client_name": "My app",
       "redirect_uris": ["https://app.example/callback"]}'</pre>`
    : ''
  const content = html`<div class="card">
<h1>oidkit demo OpenID Provider</h1>
<p class="lead">A complete OpenID Provider built with oidkit, Express 5 and SQLite. Point any
OpenID Connect relying party at its issuer.</p>
<p><a href="${input.discoveryUrl}">Discovery document</a> · <code>${input.discoveryUrl}</code></p>
<h2>What it supports</h2>
<ul class="features">
<li>Authorization code with PKCE (S256)</li>
<li>Implicit and hybrid response types</li>
<li>query, fragment and form_post response modes</li>
<li>Refresh tokens with <code>offline_access</code></li>
<li>Client credentials</li>
<li>Five client authentication methods</li>
<li>UserInfo and the <code>claims</code> parameter</li>
<li>Token revocation and introspection</li>
<li>Dynamic registration and management</li>
<li>RP-Initiated Logout</li>
</ul>
<h2>Demo accounts</h2>
<table>
<tr><th scope="col">Username</th><th scope="col">Password</th><th scope="col">Profile</th></tr>
<tr><td><code>alice</code></td><td><code>wonderland</code></td><td>Every standard claim, verified email and phone</td></tr>
<tr><td><code>bob</code></td><td><code>builder</code></td><td>A smaller profile, unverified email</td></tr>
</table>
${register}
<h2>Endpoints</h2>
<table>${input.endpoints.map(([name, url]) => html`<tr><th scope="row">${name}</th><td><code>${url}</code></td></tr>`)}</table>
</div>`
  return layout(context, 'OpenID Provider', content, { wide: true })
}
