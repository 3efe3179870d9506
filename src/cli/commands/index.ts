import type { Command } from '../command.js'
import { agentAddCommand, agentLsCommand, agentRmCommand, agentsFindCommand } from './agents.js'
import { auditExportCommand, auditQueryCommand, auditVerifyCommand } from './audit.js'
import { authorityInitCommand } from './authority.js'
import { certIssueCommand, certRevokeCommand } from './cert.js'
import { daemonCommand } from './daemon.js'
import { certShowCommand, joinCommand } from './host-cert.js'
import { idCommand } from './id.js'
import { initCommand } from './init.js'
import { connectCommand, findCommand, pingCommand } from './peer-ops.js'
import { policyCheckCommand, policyExampleCommand, policyPushCommand } from './policy.js'
import { policyExplainCommand } from './policy-explain.js'
import { sendCommand } from './send.js'
import { peersCommand, statusCommand } from './status.js'

/** Every command, in the order `agentmesh --help` lists them. */
export const COMMANDS: readonly Command[] = [
  initCommand,
  daemonCommand,
  idCommand,
  statusCommand,
  peersCommand,
  pingCommand,
  findCommand,
  connectCommand,
  agentAddCommand,
  agentLsCommand,
  agentRmCommand,
  agentsFindCommand,
  sendCommand,
  authorityInitCommand,
  certIssueCommand,
  joinCommand,
  certShowCommand,
  certRevokeCommand,
  policyCheckCommand,
  policyExplainCommand,
  policyPushCommand,
  policyExampleCommand,
  auditQueryCommand,
  auditVerifyCommand,
  auditExportCommand
]
