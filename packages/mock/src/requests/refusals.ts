import { RetCodes, retCodeInfo, type RetCodeValue } from 'callbot-contract';

/** A business outcome other than success: a retCode and a message that says what to fix. */
export interface Refusal {
  retCode: number;
  retMsg: string;
}

// The vendor's own words first (the spec's RetCode table, as in its examples), then what exactly is wrong.
export const refuse = (retCode: Exclude<RetCodeValue, typeof RetCodes.Success.code>, detail?: string): Refusal => {
  const zh = retCodeInfo(retCode)!.zh;
  return { retCode, retMsg: detail ? `${zh}: ${detail}` : zh };
};

export const SUCCESS = RetCodes.Success.code;
