export { type RuleInfo, ruleFiles, type RulesStatus, YaraRuleError, YaraRules } from './rules.js';
