export type { ToWebRequestOptions } from './node-bridge'
export { nodeHandler, toWebRequest, writeWebResponse } from './node-bridge'
