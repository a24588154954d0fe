#!/usr/bin/python3
# gen_ps.py: writes to stdout a multi-page PostScript document for Ghostscript:
# on each page, hundreds of random filled and stroked paths (curves, polygons),
# dashed lines, text in the standard fonts at many sizes and rotations, a
# smooth shading (shfill) and a small generated image. Rendering it makes gs
# allocate paths, font caches, band lists and raster buffers: blocks from a
# few bytes to megabytes. Everything is drawn from a fixed seed; no fonts or
# files beyond Ghostscript's own are needed.
# Usage: gen_ps.py [--seed N] [--pages N] [--shapes N]
import argparse
import random

FONTS = ["Times-Roman", "Helvetica-Bold", "Courier", "Palatino-Italic", "NewCenturySchlbk-Roman"]
WORDS = ("the quick brown fox jumps over a lazy dog while sphinx of black "
         "quartz judge my vow and pack my box with five dozen liquor jugs").split()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--pages", type=int, default=6)
    ap.add_argument("--shapes", type=int, default=500)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    w, h = 595, 842
    out = ["%!PS-Adobe-3.0", "%%%%BoundingBox: 0 0 %d %d" % (w, h), "%%%%Pages: %d" % a.pages,
           "%%EndComments"]
    for page in range(1, a.pages + 1):
        out.append("%%%%Page: %d %d" % (page, page))
        out.append("gsave")
        # background shading
        out.append("<< /ShadingType 2 /ColorSpace /DeviceRGB /Coords [0 0 %d %d] "
                   "/Function << /FunctionType 2 /Domain [0 1] /C0 [%.2f %.2f %.2f] /C1 [%.2f %.2f %.2f] /N 1 >> "
                   "/Extend [true true] >> shfill" % (
                       w, h, *(rng.random() for _ in range(6))))
        for i in range(a.shapes):
            out.append("%.3f %.3f %.3f setrgbcolor" % (rng.random(), rng.random(), rng.random()))
            kind = rng.random()
            if kind < 0.35:
                x, y = rng.uniform(0, w), rng.uniform(0, h)
                pts = " ".join("%.1f %.1f %.1f %.1f %.1f %.1f curveto" % tuple(
                    rng.uniform(-150, 150) + (x if k % 2 == 0 else y) for k in range(6))
                    for _ in range(rng.randint(1, 5)))
                out.append("newpath %.1f %.1f moveto %s closepath %s" % (
                    x, y, pts, rng.choice(["fill", "eofill", "%.1f setlinewidth stroke" % rng.uniform(0.2, 6)])))
            elif kind < 0.6:
                n = rng.randint(3, 12)
                pts = " ".join("%.1f %.1f lineto" % (rng.uniform(0, w), rng.uniform(0, h)) for _ in range(n))
                out.append("[%d %d] 0 setdash newpath %.1f %.1f moveto %s closepath %.1f setlinewidth stroke [] 0 setdash"
                           % (rng.randint(1, 9), rng.randint(1, 9), rng.uniform(0, w), rng.uniform(0, h), pts,
                              rng.uniform(0.3, 3)))
            elif kind < 0.9:
                text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 8)))
                out.append("gsave /%s findfont %.1f scalefont setfont %.1f %.1f moveto %d rotate (%s) show grestore"
                           % (rng.choice(FONTS), rng.uniform(4, 48), rng.uniform(0, w), rng.uniform(0, h),
                              rng.randint(0, 359), text))
            else:
                out.append("newpath %.1f %.1f %.1f 0 360 arc fill" % (
                    rng.uniform(0, w), rng.uniform(0, h), rng.uniform(2, 60)))
        # a generated 64x64 RGB image, scaled up
        pix = "".join("%02x%02x%02x" % ((x * 4) & 255, (y * 4) & 255, (x * y + page * 37) & 255)
                      for y in range(64) for x in range(64))
        out.append("gsave %.1f %.1f translate 200 200 scale 64 64 8 [64 0 0 -64 0 64] "
                   "{<%s>} false 3 colorimage grestore" % (rng.uniform(0, w - 200), rng.uniform(0, h - 200), pix))
        out.append("grestore showpage")
    out.append("%%EOF")
    print("\n".join(out))


if __name__ == "__main__":
    main()
