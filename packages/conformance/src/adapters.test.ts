import express5 from 'express'
import express4 from 'express4'
import Koa3 from 'koa'
import Koa2 from 'koa2'
import {
  type ExpressModule,
  expressTarget,
  type KoaClass,
  koaTarget,
  nextTarget,
} from './adapter-targets'
import { runConformance } from './suite'

// Body parsers before the adapter on one major version and after it on the other, so that both
// mount orders are covered.
runConformance('Express 4 (body parsers before the adapter)', () =>
  expressTarget(express4 as ExpressModule, { parsersFirst: true }),
)
runConformance('Express 5 (body parsers after the adapter)', () =>
  expressTarget(express5 as ExpressModule, { parsersFirst: false }),
)
runConformance('Koa 2 (body parser before the adapter)', () =>
  koaTarget(Koa2 as KoaClass, { parserFirst: true }),
)
runConformance('Koa 3 (body parser after the adapter)', () =>
  koaTarget(Koa3 as KoaClass, { parserFirst: false }),
)
runConformance('Next.js route handlers', nextTarget)
