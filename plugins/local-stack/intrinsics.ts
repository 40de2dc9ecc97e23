/**
 * CloudFormation intrinsic functions resolved against the local stack, so the values serverless.yml
 * hands to CloudFormation (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`, `Fn::Split`, `Fn::Select`) become
 * the names, URLs and ARNs of the emulated resources.
 */

/** What one logical id resolves to: its `Ref` value and its `Fn::GetAtt` attributes. */
export interface LocalResourceValues {
  ref: string;
  attributes: Record<string, string>;
}

export interface IntrinsicContext {
  region: string;
  accountId: string;
  stackName: string;
  resources: ReadonlyMap<string, LocalResourceValues>;
  /** The template's `Conditions`, for `Fn::If` and resources' `Condition`. */
  conditions?: Record<string, unknown>;
}

export class UnresolvedIntrinsicError extends Error {
  constructor(readonly expression: string) {
    super(`cannot resolve ${expression} locally`);
    this.name = 'UnresolvedIntrinsicError';
  }
}

function pseudoParameter(name: string, context: IntrinsicContext): string | undefined {
  const values: Record<string, string> = {
    'AWS::Region': context.region,
    'AWS::AccountId': context.accountId,
    'AWS::StackName': context.stackName,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::NoValue': '',
  };
  return values[name];
}

function resolveRef(name: unknown, context: IntrinsicContext): string {
  const key = String(name);
  const value = pseudoParameter(key, context) ?? context.resources.get(key)?.ref;
  if (value === undefined) throw new UnresolvedIntrinsicError(`Ref ${key}`);
  return value;
}

function resolveGetAtt(argument: unknown, context: IntrinsicContext): string {
  const [logicalId, attribute] = Array.isArray(argument)
    ? argument.map(String)
    : String(argument).split(/\.(.*)/s, 2);
  const value = context.resources.get(String(logicalId))?.attributes[String(attribute)];
  if (value === undefined) throw new UnresolvedIntrinsicError(`Fn::GetAtt ${logicalId}.${attribute}`);
  return value;
}

function resolveSub(argument: unknown, context: IntrinsicContext): string {
  const [template, variables] = Array.isArray(argument) ? argument : [argument, {}];
  const own = resolveIntrinsics(variables ?? {}, context) as Record<string, unknown>;
  return String(template)
    .replace(/\$\{([^}!][^}]*)\}/g, (_match, name: string) => {
      if (name in own) return String(own[name]);
      return name.includes('.') ? resolveGetAtt(name, context) : resolveRef(name, context);
    })
    .replace(/\$\{!/g, '${'); // `${!Literal}` is CloudFormation's escape for a literal `${Literal}`
}

/** Evaluates the template condition `name` (`Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or`, `Condition`). */
export function evaluateCondition(name: string, context: IntrinsicContext): boolean {
  const definition = context.conditions?.[name];
  if (definition === undefined) throw new UnresolvedIntrinsicError(`Condition ${name}`);
  return evaluateConditionExpression(definition, context);
}

function evaluateConditionExpression(expression: unknown, context: IntrinsicContext): boolean {
  const [[operator, argument] = []] = Object.entries((expression ?? {}) as Record<string, unknown>);
  const operands = Array.isArray(argument) ? argument : [argument];
  switch (operator) {
    case 'Fn::Equals': {
      const [left, right] = operands.map((operand) => JSON.stringify(resolveIntrinsics(operand, context)));
      return left === right;
    }
    case 'Fn::Not':
      return !evaluateConditionExpression(operands[0], context);
    case 'Fn::And':
      return operands.every((operand) => evaluateConditionExpression(operand, context));
    case 'Fn::Or':
      return operands.some((operand) => evaluateConditionExpression(operand, context));
    case 'Condition':
      return evaluateCondition(String(argument), context);
    default:
      throw new UnresolvedIntrinsicError(`condition ${JSON.stringify(expression)}`);
  }
}

const functions: Record<string, (argument: unknown, context: IntrinsicContext) => unknown> = {
  'Fn::If': (argument, context) => {
    const [condition, whenTrue, whenFalse] = argument as [string, unknown, unknown];
    return resolveIntrinsics(evaluateCondition(condition, context) ? whenTrue : whenFalse, context);
  },
  Ref: resolveRef,
  'Fn::GetAtt': resolveGetAtt,
  'Fn::Sub': resolveSub,
  'Fn::Join': (argument, context) => {
    const [delimiter, list] = resolveIntrinsics(argument, context) as [string, unknown[]];
    return list.map(String).join(delimiter);
  },
  'Fn::Split': (argument, context) => {
    const [delimiter, source] = resolveIntrinsics(argument, context) as [string, string];
    return String(source).split(delimiter);
  },
  'Fn::Select': (argument, context) => {
    const [index, list] = resolveIntrinsics(argument, context) as [string | number, unknown[]];
    return list[Number(index)];
  },
};

function intrinsicOf(value: object): [string, unknown] | undefined {
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const key = keys[0]!;
  return key in functions ? [key, (value as Record<string, unknown>)[key]] : undefined;
}

/**
 * Returns a copy of `value` with every supported intrinsic replaced by its local value. A list whose
 * item resolves to a list (`[!Split ...]`) is flattened, as CloudFormation does for string lists.
 * Throws UnresolvedIntrinsicError naming the first expression it cannot resolve.
 */
export function resolveIntrinsics(value: unknown, context: IntrinsicContext): unknown {
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      const resolved = resolveIntrinsics(item, context);
      return isIntrinsic(item) && Array.isArray(resolved) ? resolved : [resolved];
    });
  }
  if (value === null || typeof value !== 'object') return value;
  const intrinsic = intrinsicOf(value);
  if (intrinsic) return functions[intrinsic[0]]!(intrinsic[1], context);
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, resolveIntrinsics(item, context)]),
  );
}

/** True when `value` is a single-key object naming a supported intrinsic function. */
export function isIntrinsic(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !!intrinsicOf(value);
}

/** Resolves `value` to a string, or throws UnresolvedIntrinsicError. */
export function resolveString(value: unknown, context: IntrinsicContext): string {
  return String(resolveIntrinsics(value, context));
}
