import { RetCodes } from 'callbot-contract';

/** A business outcome other than success: a retCode and a message that says what to fix. */
export interface Refusal {
  retCode: number;
  retMsg: string;
}

// The vendor's own words first (as in the spec's examples), then what exactly is wrong.
const zh = {
  1: '通用错误',
  2: '参数丢失',
  3: '参数格式错误',
  4: '参数值错误',
  4001: '参数内容容量错误',
  6: '签名不正确',
  6001: '签名错误丢失',
  6002: '账号不存在',
} as const;

export const refuse = (retCode: keyof typeof zh, detail?: string): Refusal => ({
  retCode,
  retMsg: detail ? `${zh[retCode]}: ${detail}` : zh[retCode],
});

export const SUCCESS = RetCodes.Success.code;
