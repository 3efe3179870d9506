import { describeCompromise } from './helpers.js'

describeCompromise('linear')
