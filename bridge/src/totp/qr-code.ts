import QRCode from 'qrcode';

/** A QR code of `text` as SVG markup: only elements and presentation attributes, so a strict CSP shows it inline. */
export function qrCodeSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/** SVG markup as a `data:` URI, for an `<img src>` or an application's own page. */
export function svgDataUri(svg: string): string {
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}
