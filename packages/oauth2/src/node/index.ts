export type { Dispatcher, NodeBridgeHandler, ToWebRequestOptions } from './node-bridge'
export { nodeHandler, respond, toWebRequest, writeWebResponse } from './node-bridge'
