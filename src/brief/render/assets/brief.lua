--[[
brief.lua: Quarto's callouts and cross-references for pandoc's HTML and Typst writers.

Why a filter: pandoc reads `@fig-x` as a citation (in Typst output it becomes a
bibliography cite and compilation fails), and fenced divs lose their class in Typst,
so callouts would vanish. The numbering itself is computed in Python (brief.render.xref)
and handed over in a JSON file named by the metadata field `brief-xref-file`, so the
site and the PDF say the same "Figure 2.1".

JSON file fields: targets {id: {text, number, kind, href}}, charts [names],
widths {name: Typst length} (PDF only),
root (relative path from the page to the site root, "" in Typst), format,
keep [phrases whose words are joined by non-breaking spaces].

Written to JSON (`-t json`), the filter resolves only cross-references: a factsheet is
run through citeproc once that way, then written to HTML and to Typst without it.
--]]

local targets = {}
local charts = {}
local widths = {}
local root = ""
local keep = {}
local typst = FORMAT:match("typst") ~= nil

local CALLOUTS = {note = "Note", tip = "Tip", important = "Important",
                  warning = "Warning", caution = "Caution"}

local function load(meta)
  local file = meta["brief-xref-file"]
  if not file then return nil end
  local handle = assert(io.open(pandoc.utils.stringify(file), "r"))
  local data = pandoc.json.decode(handle:read("a"), false)
  handle:close()
  targets = data.targets or {}
  for _, name in ipairs(data.charts or {}) do charts[name] = true end
  widths = data.widths or {}
  root = data.root or ""
  for _, phrase in ipairs(data.keep or {}) do
    local words = {}
    for word in phrase:gmatch("%S+") do table.insert(words, word) end
    if #words > 1 then table.insert(keep, words) end
  end
  return nil
end

-- A place name never breaks across lines: the words of each phrase of `keep` become one
-- Str joined by non-breaking spaces. The first word may follow punctuation ("(North"),
-- the last may carry it ("Hill's", "Hill.").
local NBSP = "\u{00A0}"

local function phrase_at(inlines, i, words)
  local first = inlines[i]
  if first.t ~= "Str" or first.text:sub(-#words[1]) ~= words[1] then return nil end
  local before = first.text:sub(1, -#words[1] - 1)
  if before:match("[%w\128-\255]$") then return nil end
  local text = first.text
  for k = 2, #words do
    local space, word = inlines[i + 2 * k - 3], inlines[i + 2 * k - 2]
    if not (space and word and space.t == "Space" and word.t == "Str") then return nil end
    local last = k == #words
    local rest = word.text:sub(#words[k] + 1)
    if word.text:sub(1, #words[k]) ~= words[k] then return nil end
    if not last and rest ~= "" then return nil end
    if last and rest:match("^[%w\128-\255]") then return nil end
    text = text .. NBSP .. word.text
  end
  return text, 2 * #words - 1
end

local function Inlines(inlines)
  if #keep == 0 then return nil end
  local out = pandoc.Inlines({})
  local i = 1
  while i <= #inlines do
    local joined, used
    for _, words in ipairs(keep) do
      joined, used = phrase_at(inlines, i, words)
      if joined then break end
    end
    if joined then
      out:insert(pandoc.Str(joined))
      i = i + used
    else
      out:insert(inlines[i])
      i = i + 1
    end
  end
  return out
end

local function escape_html(text)
  return (text:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"):gsub('"', "&quot;"))
end

-- `text` as a Typst string literal.
local function typst_string(text)
  return '"' .. text:gsub("\\", "\\\\"):gsub('"', '\\"'):gsub("%s+", " ") .. '"'
end

-- A width pandoc would have written (50%, 3in, 120pt...) as a Typst length, or nil.
local function typst_length(width)
  if not width then return nil end
  local number, unit = width:match("^([%d.]+)(%a*%%?)$")
  if number and (unit == "%" or unit == "pt" or unit == "mm" or unit == "cm"
                 or unit == "in" or unit == "em") then
    return number .. unit
  end
  return nil
end

local function is_xref(id)
  return id:match("^fig%-") or id:match("^tbl%-") or id:match("^sec%-")
end

-- Headings: prefix the number ("2.1") computed for this id.
local function Header(el)
  local target = targets[el.identifier]
  if target and target.number ~= "" then
    local number = pandoc.Span({pandoc.Str(target.number)}, {class = "header-number"})
    el.content:insert(1, pandoc.Space())
    el.content:insert(1, number)
  end
  return el
end

-- Put "Figure 2.1:" in front of a caption; create the caption if there is none.
local function label_caption(caption, text)
  local label = pandoc.Span({pandoc.Str(text .. ":")}, {class = "caption-label"})
  if #caption.long == 0 then
    caption.long = {pandoc.Plain({label})}
  else
    local first = caption.long[1]
    if first.content then
      first.content:insert(1, pandoc.Space())
      first.content:insert(1, label)
    end
  end
  return caption
end

-- A chart: its SVG (made interactive when the reader reaches for it, see page.html)
-- in a box that scrolls sideways on a phone rather than shrinking the chart's text;
-- then the downloads, which carry the chart's source and licence.
local function chart_html(name, alt)
  local svg = escape_html(root .. "figures/" .. name)
  return table.concat({
    '<div class="chart" data-chart="', escape_html(name), '" role="img" tabindex="0" ',
    'aria-label="', escape_html(alt), '"><img class="chart-static" src="', svg,
    '.svg" alt="', escape_html(alt), '"></div>',
    '<span class="chart-downloads">Download: <a href="', svg,
    '-with-source.svg" download>SVG</a> · <a href="', svg, '.png" download>PNG</a> · ',
    '<a href="', svg, '.csv" download>data (CSV)</a></span>'})
end

local function Figure(el)
  local target = targets[el.identifier]
  if target then el.caption = label_caption(el.caption, target.text) end
  el.content = el.content:walk({
    Image = function(img)
      local name = img.attributes["name"]
      local alt = img.attributes["fig-alt"] or pandoc.utils.stringify(img.caption)
      if typst then
        -- pandoc's Typst writer drops an image's alt text, which PDF/UA requires (it
        -- becomes the figure's /Alt): write the image call here. One scale for every
        -- chart (computed in brief.render.pdf); other images keep a width in Typst units.
        local width = name and widths[name] or typst_length(img.attributes["width"])
        return pandoc.RawInline("typst", "#image(" .. typst_string(root .. img.src)
          .. (width and (", width: " .. width) or "")
          -- No alt at all rather than an empty one: Typst then refuses the PDF/UA file.
          .. (alt ~= "" and (", alt: " .. typst_string(alt)) or "") .. ")")
      end
      if name and charts[name] then
        return pandoc.RawInline("html", chart_html(name, alt))
      end
      img.src = root .. img.src
      img.caption = {pandoc.Str(alt)}
      img.attributes["name"] = nil
      img.attributes["fig-alt"] = nil
      img.attributes["alt"] = alt
      return img
    end,
  })
  return el
end

-- Widths for wide tables, the way a browser lays them out: a column whose cells are
-- all short (a value, a year) gets its natural width; the long ones share the rest
-- in proportion to their longest cell (bounded). pandoc's own rule gives every
-- column an equal share, which breaks "1999-2009" over two lines and crushes prose.
-- Tables that fit on a line keep their natural widths.
local LINE = 100         -- characters of table text across the text width
local SHORT = 14         -- a column whose longest cell is at most this is "short"
local MAX_CHARS = 40

local function size_columns(el)
  local longest = {}
  local function measure(rows)
    for _, row in ipairs(rows) do
      for i, cell in ipairs(row.cells) do
        local length = utf8.len(pandoc.utils.stringify(cell.contents)) or 0
        longest[i] = math.max(longest[i] or 0, length)
      end
    end
  end
  measure(el.head.rows)
  for _, body in ipairs(el.bodies) do measure(body.body) end
  local total, short, long = 0, 0, 0
  for i = 1, #el.colspecs do
    longest[i] = longest[i] or 0
    total = total + longest[i] + 2
    if longest[i] <= SHORT then
      short = short + longest[i] + 2
    else
      long = long + math.min(MAX_CHARS, longest[i])
    end
  end
  if total <= LINE or long == 0 then return end
  local rest = math.max(LINE - short, LINE / 3)
  local widths, sum = {}, 0
  for i = 1, #el.colspecs do
    if longest[i] <= SHORT then
      widths[i] = longest[i] + 2
    else
      widths[i] = rest * math.min(MAX_CHARS, longest[i]) / long
    end
    sum = sum + widths[i]
  end
  for i, spec in ipairs(el.colspecs) do
    el.colspecs[i] = {spec[1], widths[i] / sum}
  end
end

local table_names = {}  -- names given so far on this page (each job loads the filter anew)

local function Table(el)
  size_columns(el)
  local target = targets[el.identifier]
  if target then el.caption = label_caption(el.caption, target.text) end
  if typst then return el end
  -- A wide table scrolls inside its wrapper instead of widening a phone's page; the
  -- wrapper takes keyboard focus, so that it can be scrolled without a pointer.
  -- Its name (unique on the page, as a landmark's must be): the caption, or else the
  -- column headings. Attributes as a list: a Lua table's order would vary by run.
  local name = pandoc.utils.stringify(el.caption.long)
  if name == "" then
    local headings = {}
    for _, row in ipairs(el.head.rows) do
      for _, cell in ipairs(row.cells) do
        table.insert(headings, pandoc.utils.stringify(cell.contents))
      end
    end
    name = "Table of " .. table.concat(headings, ", ")
  end
  table_names[name] = (table_names[name] or 0) + 1
  if table_names[name] > 1 then name = name .. " (" .. table_names[name] .. ")" end
  return pandoc.Div({el}, pandoc.Attr("", {"table-wrap"},
    {{"tabindex", "0"}, {"role", "region"}, {"aria-label", name}}))
end

local function callout_title(el, kind)
  local title = el.attributes["title"]
  if title and title ~= "" then
    local parsed = pandoc.read(title, "markdown").blocks
    return parsed[1] and parsed[1].content or pandoc.Inlines({pandoc.Str(title)}), el.content
  end
  -- Quarto also accepts a first heading inside the callout as its title.
  local first = el.content[1]
  if first and first.t == "Header" then
    return first.content, pandoc.Blocks({table.unpack(el.content, 2)})
  end
  return pandoc.Inlines({pandoc.Str(CALLOUTS[kind])}), el.content
end

-- `blocks` between two raw pieces of `format` (an element opened and closed around them).
local function enclosed(format, opening, blocks, closing)
  local out = pandoc.Blocks({pandoc.RawBlock(format, opening)})
  out:extend(blocks)
  out:insert(pandoc.RawBlock(format, closing))
  return out
end

-- The line under a chart that names its sources: small print in both outputs.
local function chart_source(el)
  el.attributes["plain"] = nil  -- the sources in words, for the downloads only
  if not typst then return el end
  return enclosed("typst",
    "#block(above: 0.3em, below: 1.2em)[#set text(size: 8.5pt, fill: luma(80))",
    el.content, "]")
end

-- A chart's numbers as a table: folded under the chart on the site; the PDF prints
-- the chart with its labels and leaves the table out.
local function chart_data(el)
  if typst then return {} end
  return enclosed("html",
    '<details class="chart-data" data-pagefind-ignore><summary>Data table</summary>',
    el.content, "</details>")
end

-- Key figures (display.key_figures): a grid of boxes, each a big number, a line of
-- meaning and its source. The site styles the divs; Typst gets one call per box,
-- its three parts as content (citations stay native, for citeproc).
local function key_figures(el)
  if not typst then return nil end
  local blocks = pandoc.Blocks({pandoc.RawBlock("typst", "#key-figures[")})
  for _, box in ipairs(el.content) do
    if box.t == "Div" and box.classes:includes("key-figure") then
      local parts = pandoc.Inlines({pandoc.RawInline("typst", "#key-figure[")})
      for k, block in ipairs(box.content) do
        if k > 1 then parts:insert(pandoc.RawInline("typst", "][")) end
        if block.content then parts:extend(block.content) end
      end
      parts:insert(pandoc.RawInline("typst", "]"))
      blocks:insert(pandoc.Plain(parts))
    end
  end
  blocks:insert(pandoc.RawBlock("typst", "]"))
  return blocks
end

local function Div(el)
  if el.classes:includes("chart-source") then return chart_source(el) end
  if el.classes:includes("chart-data") then return chart_data(el) end
  if el.classes:includes("key-figures") then return key_figures(el) end
  local kind
  for _, class in ipairs(el.classes) do
    local match = class:match("^callout%-(%a+)$")
    if match and CALLOUTS[match] then kind = match end
  end
  if not kind then return nil end
  local title, body = callout_title(el, kind)
  if typst then
    local title_typst = pandoc.write(pandoc.Pandoc({pandoc.Plain(title)}), "typst")
    title_typst = title_typst:gsub("%s+$", "")
    return enclosed("typst",
      '#callout(kind: "' .. kind .. '", title: [' .. title_typst .. "])[", body, "]")
  end
  local heading = pandoc.Div({pandoc.Plain(title)}, {class = "callout-title"})
  local content = pandoc.Div(body, {class = "callout-body"})
  local attr = pandoc.Attr(el.identifier, {"callout", "callout-" .. kind},
                           {role = kind == "important" and "region" or "note"})
  return pandoc.Div({heading, content}, attr)
end

-- `@fig-x`, `[@tbl-y]`, `@sec-z`: a link whose text is the target's label.
local function Cite(el)
  for _, citation in ipairs(el.citations) do
    if not is_xref(citation.id) then return nil end
  end
  local out = pandoc.Inlines({})
  for i, citation in ipairs(el.citations) do
    if i > 1 then out:insert(pandoc.Str(", ")) end
    local target = targets[citation.id]
    if target then
      out:extend(citation.prefix)
      if #citation.prefix > 0 then out:insert(pandoc.Space()) end
      out:insert(pandoc.Link({pandoc.Str(target.text)}, target.href, "", {class = "xref"}))
      out:extend(citation.suffix)
    else
      out:insert(pandoc.Strong({pandoc.Str("?@" .. citation.id)}))
    end
  end
  return out
end

-- A citation that citeproc linked to the reference list (`#ref-key`): a factsheet's
-- PDF has no list, so there it stays text.
local function Link(el)
  if typst and el.target:match("^#ref%-") then return el.content end
  return nil
end

-- To JSON (a page resolved once for both targets, then given to citeproc): only the
-- cross-references, whose links are the same in both when they stay within the page.
if FORMAT == "json" then
  return {{Meta = load}, {Cite = Cite}}
end

return {
  {Meta = load},
  {Header = Header, Figure = Figure, Table = Table, Div = Div, Cite = Cite, Link = Link},
  {Inlines = Inlines},
}
