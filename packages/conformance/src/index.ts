export type { HtmlForm, SubmitButton, SubmitOptions } from './browser'
export {
  browserFetch,
  CookieJar,
  decodeHtml,
  follow,
  locationOf,
  navigate,
  parseForm,
  submitForm,
} from './browser'
export type { Account, ConformanceTarget } from './suite'
export { runConformance } from './suite'
