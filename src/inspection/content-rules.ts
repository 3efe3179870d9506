import { MESSAGE_METHODS } from './constants.js'
import type { DenyPatterns } from './deny-patterns.js'
import type { Content, PartGroup } from './schema-check.js'
import type { InspectionSubject, Veto } from './types.js'

/** The content rules, resolved once from the config. */
export interface ContentRules {
  maxParts: number
  maxPartBytes: number
  patterns: DenyPatterns
  /** Per callee role, the skills it may be asked for. */
  skills: ReadonlyMap<string, ReadonlySet<string>>
}

/** Applies the rules, cheapest first: skill, part count, part size, deny patterns. */
export function checkContent (subject: InspectionSubject, content: Content, rules: ContentRules): Veto | undefined {
  return checkSkill(subject, content, rules) ?? checkSizes(content.groups, rules) ?? checkPatterns(content, rules.patterns)
}

function checkSkill (subject: InspectionSubject, content: Content, rules: ContentRules): Veto | undefined {
  if (subject.direction !== 'request' || !MESSAGE_METHODS.has(subject.method) || content.message === undefined) return undefined
  const role = subject.to.role
  const allowed = role === undefined ? undefined : rules.skills.get(role)
  if (allowed === undefined) return undefined
  const skill = content.message.metadata?.skill
  if (typeof skill === 'string' && allowed.has(skill)) return undefined
  const list = allowed.size === 0 ? 'no skill' : [...allowed].map((s) => `"${s}"`).join(', ')
  const asked = typeof skill === 'string' ? `asks for skill "${skill}"` : 'names no skill (params.message.metadata.skill)'
  return { code: 'SKILL_NOT_ALLOWED', message: `a ${role} (${subject.to.agent}) may be asked for ${list}; this call ${asked}` }
}

function checkSizes (groups: PartGroup[], rules: ContentRules): Veto | undefined {
  const { maxParts, maxPartBytes } = rules
  for (const { path, parts } of groups) {
    if (parts.length > maxParts) return { code: 'TOO_MANY_PARTS', message: `${path} has ${parts.length} parts; at most ${maxParts} are allowed` }
    for (let i = 0; i < parts.length; i++) {
      const text = parts[i]?.text
      if (text == null || text.length * 3 <= maxPartBytes) continue // a UTF-16 unit is at most 3 UTF-8 bytes
      const bytes = text.length > maxPartBytes ? text.length : Buffer.byteLength(text, 'utf8') // and at least 1
      if (bytes > maxPartBytes) return { code: 'PART_TOO_LARGE', message: `${path}[${i}] is a text of ${text.length > maxPartBytes ? 'more than ' : ''}${bytes} bytes; at most ${maxPartBytes} are allowed` }
    }
  }
  return undefined
}

function checkPatterns (content: Content, patterns: DenyPatterns): Veto | undefined {
  if (patterns.size === 0) return undefined
  for (const { path, parts } of content.groups) {
    let texts = 0
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]
      if (part == null) continue
      if (part.text != null) {
        texts++
        const pattern = patterns.match(part.text)
        if (pattern !== undefined) return denied(`${path}[${i}].text`, pattern)
      } else if (part.data != null) {
        const found = patterns.matchDeep(part.data, `${path}[${i}].data`)
        if (found !== undefined) return denied(found.path, found.pattern)
      }
    }
    if (texts > 1) {
      // A phrase split across parts is read as one by whoever joins them.
      const joined = parts.map((p) => p.text ?? '').join('')
      const pattern = patterns.match(joined)
      if (pattern !== undefined) return denied(`${path} (joined)`, pattern)
    }
  }
  for (const { path, value } of content.loose) {
    const found = patterns.matchDeep(value, path)
    if (found !== undefined) return denied(found.path, found.pattern)
  }
  return undefined
}

function denied (where: string, pattern: string): Veto {
  // The pattern stays out of the message, which goes back to the sender: no help to evade it.
  return { code: 'CONTENT_DENIED', message: `${where} matches a deny pattern`, detail: `pattern: ${pattern}` }
}
