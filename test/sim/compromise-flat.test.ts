import { describeCompromise } from './helpers.js'

describeCompromise('flat')
