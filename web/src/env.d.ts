/// <reference types="vite/client" />

declare module 'swagger-ui-dist/swagger-ui-es-bundle.js' {
  interface SwaggerUIOptions {
    domNode?: HTMLElement
    dom_id?: string
    url?: string
    spec?: object
    deepLinking?: boolean
    docExpansion?: 'list' | 'full' | 'none'
    defaultModelsExpandDepth?: number
    persistAuthorization?: boolean
    tryItOutEnabled?: boolean
    withCredentials?: boolean
    filter?: boolean | string
    layout?: string
    [key: string]: unknown
  }
  const SwaggerUI: (options: SwaggerUIOptions) => unknown
  export default SwaggerUI
}
