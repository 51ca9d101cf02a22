export type { ToWebRequestOptions } from './node-bridge'
export { nodeHandler, respond, toWebRequest, writeWebResponse } from './node-bridge'
