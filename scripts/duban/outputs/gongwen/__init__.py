"""GB/T 9704-2012 (党政机关公文格式) in Word: fonts, page set-up and layout primitives.

``fonts`` (typefaces, sizes, grid), ``oxml`` (Word XML python-docx has no API
for), ``setup`` (styles, page, footer page numbers), ``document``
(``GongwenDocument``: paragraphs, headings, items, tables, titles, signature).
Nothing here knows what a report says.

Layout:

* A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (type area 156 × 225 mm),
  a document grid of 22 lines × 28 characters (line pitch 28.95 pt).
* Title 2号 方正小标宋简体, centred; body 3号 仿宋_GB2312, exact 28.95 pt, first line
  indented two characters; headings 一、 黑体, （一） 楷体_GB2312, 1. 仿宋_GB2312.
* Tables 小四 仿宋_GB2312, header row bold and repeated on every page, all borders.
* Footer page numbers "— N —" in 4号 宋体: odd pages right, even pages left, one
  character in from the edge of the type area.
* Issuer and date (成文日期, Arabic numerals) right-aligned, the date four characters
  in from the right, the issuer centred over the date where it fits.

The East Asian font is set explicitly (``w:rFonts/@w:eastAsia``) on every run and on
the styles, because Word picks the CJK typeface from that attribute only. The bytes
are deterministic: fixed core properties dated the report day, no thumbnail, and
the zip normalised by :func:`duban.atomic.normalize_zip`.
"""
