import { describe, expect, it } from 'vitest'
import {
  defaultInspectionConfig, inspectionConfigSchema, InspectionConfigError, InspectionVetoError, Inspector
} from '../../../src/inspection/index.js'
import { INJECTION, inspector } from './helpers.js'

const issues = (value: unknown): string[] => {
  const parsed = inspectionConfigSchema.safeParse(value)
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
}

describe('inspection config', () => {
  it('defaults: no patterns, 64 parts, 256 KiB, any skill, no guard; a new object each call', () => {
    const a = defaultInspectionConfig()
    expect(a).toEqual({ denyPatterns: [], maxParts: 64, maxPartBytes: 262144, allowedSkills: {}, guard: null })
    a.denyPatterns.push('x')
    expect(defaultInspectionConfig().denyPatterns).toEqual([])
  })

  it('the schema fills what is missing, the guard\'s timeout and failOpen included', () => {
    expect(inspectionConfigSchema.parse({})).toEqual(defaultInspectionConfig())
    expect(inspectionConfigSchema.parse({ guard: { url: 'http://127.0.0.1:4500/verdict' } }).guard).toEqual({ url: 'http://127.0.0.1:4500/verdict', timeoutMs: 2000, failOpen: false })
    const full = { denyPatterns: [INJECTION], maxParts: 8, maxPartBytes: 1000, allowedSkills: { specialist: ['search'] }, guard: { url: 'https://guard.example.com/v', timeoutMs: 500, failOpen: true } }
    expect(inspectionConfigSchema.parse(full)).toEqual(full)
  })

  it('is strict: a misspelt key is an error, in the guard too', () => {
    expect(issues({ denyPattern: [] })[0]).toMatch(/denyPattern/)
    expect(issues({ guard: { url: 'http://127.0.0.1:1/', failopen: true } })[0]).toMatch(/^guard: .*failopen/)
  })

  it('refuses a pattern that does not compile, naming it', () => {
    expect(issues({ denyPatterns: ['ok', '(unclosed'] })[0]).toMatch(/^denyPatterns\.1: a JavaScript regular expression \(.*Unterminated group/)
  })

  it('refuses wrong types and ranges', () => {
    expect(issues({ maxParts: 0 })).toHaveLength(1)
    expect(issues({ maxPartBytes: 1.5 })).toHaveLength(1)
    expect(issues({ allowedSkills: { specialist: 'search' } })).toHaveLength(1)
    expect(issues({ guard: { url: 'http://127.0.0.1:1/', timeoutMs: -1 } })).toHaveLength(1)
  })

  it('keeps a plain-HTTP guard on the host; HTTPS may go anywhere', () => {
    for (const url of ['http://127.0.0.1:4500/v', 'http://localhost:4500/v', 'http://[::1]:4500/v', 'https://guard.example.com/v']) expect(issues({ guard: { url } }), url).toEqual([])
    expect(issues({ guard: { url: 'http://10.0.0.5:4500/v' } })[0]).toMatch(/loopback/)
    expect(issues({ guard: { url: 'ftp://127.0.0.1/v' } })[0]).toMatch(/http: or https:/)
    expect(issues({ guard: { url: 'not a url' } })[0]).toMatch(/URL/)
  })
})

describe('Inspector', () => {
  it('refuses to start on a pattern that does not compile', () => {
    expect(() => new Inspector({ config: { ...defaultInspectionConfig(), denyPatterns: ['a', '[z-a]'] } })).toThrow(InspectionConfigError)
    const err = (() => { try { inspector({ denyPatterns: ['(x'] }) } catch (e) { return e } })()
    expect(err).toBeInstanceOf(InspectionConfigError)
    expect(err).toMatchObject({ key: 'denyPatterns[0]', code: 'INVALID_CONFIG' })
  })

  it('isCheap: true without a guard and patterns; with patterns, only for requests that carry ids', () => {
    expect(inspector().isCheap({ direction: 'reply', method: 'SendMessage' })).toBe(true)
    const patterns = inspector({ denyPatterns: [INJECTION] })
    expect(patterns.isCheap({ direction: 'request', method: 'GetTask' })).toBe(true)
    expect(patterns.isCheap({ direction: 'request', method: 'SendMessage' })).toBe(false)
    expect(patterns.isCheap({ direction: 'request', method: 'x/custom' })).toBe(false)
    expect(patterns.isCheap({ direction: 'reply', method: 'GetTask' })).toBe(false)
    expect(inspector({ guard: { url: 'http://127.0.0.1:1/', timeoutMs: 100, failOpen: false } }).isCheap({ direction: 'request', method: 'GetTask' })).toBe(false)
  })

  it('a veto can be thrown as a named error with its code', () => {
    const err = new InspectionVetoError({ code: 'CONTENT_DENIED', message: 'params.message.parts[0].text matches a deny pattern' })
    expect(err.name).toBe('InspectionVetoError')
    expect(err.code).toBe('CONTENT_DENIED')
    expect(err.veto.message).toBe(err.message)
  })
})
