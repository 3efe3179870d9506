import { describeCompromise } from './helpers.js'

describeCompromise('hierarchical')
