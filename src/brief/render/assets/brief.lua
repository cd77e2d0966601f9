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
  for kind, title in pairs(data.callouts or {}) do CALLOUTS[kind] = title end
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

-- What each cross-reference prefix names: the same list as brief.render.xref.KINDS.
local KINDS = {fig = "Figure", tbl = "Table", sec = "Section", eq = "Equation",
               lst = "Listing", thm = "Theorem", lem = "Lemma", cor = "Corollary",
               prp = "Proposition", cnj = "Conjecture", def = "Definition",
               exm = "Example", exr = "Exercise", sol = "Solution", rem = "Remark",
               alg = "Algorithm", nte = "Note", tip = "Tip", wrn = "Warning",
               imp = "Important", cau = "Caution"}
local THEOREMS = {thm = true, lem = true, cor = true, prp = true, cnj = true, def = true,
                  exm = true, exr = true, sol = true, rem = true, alg = true}

local function kind_of(id)
  local head = id:match("^(%a+)%-")
  return head and KINDS[head] and head or nil
end

local function is_xref(id)
  return kind_of(id:sub(1, 1):lower() .. id:sub(2)) ~= nil
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
local function label_caption(caption, text, colon)
  local label = pandoc.Span({pandoc.Str(text .. (colon or ":"))}, {class = "caption-label"})
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

-- A remote image (https://...) keeps its address; the engine's own paths (figures/,
-- media/) are relative to the site root.
local function remote(src)
  return src:match("^%a[%w+.%-]*:") ~= nil
end

-- An image: its chart or its file, with alt text in both outputs. `inline` images sit
-- in a line of text (a box in Typst).
local function place_image(img, inline)
  if img.attributes["data-placed"] then return img end  -- in a figure div, done already
  local name = img.attributes["name"]
  local alt = img.attributes["fig-alt"] or pandoc.utils.stringify(img.caption)
  local function as_link()  -- "[Image: its alt text]", leading to the file
    return pandoc.Link({pandoc.Str("[Image: " .. (alt ~= "" and alt or img.src) .. "]")},
                       img.src)
  end
  local pdf_file = img.src:lower():match("%.pdf$")
  if typst then
    -- Typst cannot fetch a remote image and the build never downloads; a PDF cannot be
    -- embedded in a PDF/UA file: the PDF links to both.
    if remote(img.src) or pdf_file then return as_link() end
    -- pandoc's Typst writer drops an image's alt text, which PDF/UA requires (it
    -- becomes the figure's /Alt): write the image call here. One scale for every
    -- chart (computed in brief.render.pdf); other images keep a width in Typst units.
    local width = name and widths[name] or typst_length(img.attributes["width"])
    local call = "image(" .. typst_string(root .. img.src)
      .. (width and (", width: " .. width) or "")
      -- No alt at all rather than an empty one: Typst then refuses the PDF/UA file.
      .. (alt ~= "" and (", alt: " .. typst_string(alt)) or "") .. ")"
    return pandoc.RawInline("typst", inline and ("#box(" .. call .. ")") or ("#" .. call))
  end
  if name and charts[name] then
    return pandoc.RawInline("html", chart_html(name, alt))
  end
  if not remote(img.src) then img.src = root .. img.src end
  if pdf_file then return as_link() end  -- a browser shows no PDF in <img>
  img.caption = {pandoc.Str(alt)}
  img.attributes["name"] = nil
  img.attributes["fig-alt"] = nil
  img.attributes["alt"] = alt
  if not inline then img.attributes["data-placed"] = "1" end  -- seen by Image below
  return img
end

local function Figure(el)
  local target = targets[el.identifier]
  local letter = target and target.number:match("%d(%a)$")
  if letter then  -- a panel of a figure: "(a) its caption"
    el.caption = label_caption(el.caption, "(" .. letter .. ")", "")
  elseif target then
    el.caption = label_caption(el.caption, target.text)
  end
  el.content = el.content:walk({Image = function(img) return place_image(img, false) end})
  return el
end

-- An image in a line of text (not a figure of its own).
local function Image(img)
  if img.attributes["data-placed"] then
    img.attributes["data-placed"] = nil
    return img
  end
  return place_image(img, true)
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
  local letter = target and target.number:match("%d(%a)$")
  if letter then  -- a panel of a table div: "(a) its caption"
    el.caption = label_caption(el.caption, "(" .. letter .. ")", "")
  elseif target then
    el.caption = label_caption(el.caption, target.text)
  end
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
  -- Quarto's untyped callout (`.callout`) has no title unless it is given one.
  if not kind then return nil, el.content end
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

-- `label` and a space at the start of the first paragraph of `blocks` (a paragraph of
-- its own when the blocks open with something else, a list say).
local function lead_with(blocks, label)
  local lead = pandoc.Inlines({label, pandoc.Space()})
  if blocks[1] and (blocks[1].t == "Para" or blocks[1].t == "Plain") then
    lead:extend(blocks[1].content)
    blocks[1] = pandoc.Para(lead)
  else
    blocks:insert(1, pandoc.Para(lead))
  end
end

-- "Theorem 2.1 (Name)." in bold before the first paragraph of a theorem-like div; its
-- name comes from a heading opening the div (Quarto's way) or a `name` attribute.
local function theorem(el, kind)
  local target = targets[el.identifier]
  local blocks = pandoc.Blocks(el.content)
  local name = el.attributes["name"] and pandoc.Inlines({pandoc.Str(el.attributes["name"])})
  if blocks[1] and blocks[1].t == "Header" then
    name = blocks[1].content
    blocks:remove(1)
  end
  local label = pandoc.Inlines({pandoc.Str(target and target.text or KINDS[kind])})
  if name and #name > 0 then
    label:insert(pandoc.Space())
    label:insert(pandoc.Str("("))
    label:extend(name)
    label:insert(pandoc.Str(")"))
  end
  label:insert(pandoc.Str("."))
  lead_with(blocks, pandoc.Strong(label))
  return pandoc.Div(blocks, pandoc.Attr(el.identifier, {"theorem", kind}))
end

-- Proofs, remarks and solutions (unnumbered): "Proof (name)." in italics, from a
-- `name` attribute or an opening heading; a proof ends with a square.
local UNNUMBERED = {proof = "Proof", remark = "Remark", solution = "Solution"}

local function unnumbered(el, class)
  local blocks = pandoc.Blocks(el.content)
  local label = pandoc.Inlines({pandoc.Str(UNNUMBERED[class])})
  local name = el.attributes["name"] and pandoc.Inlines({pandoc.Str(el.attributes["name"])})
  if blocks[1] and blocks[1].t == "Header" then
    name = blocks[1].content
    blocks:remove(1)
  end
  if name and #name > 0 then
    label:extend({pandoc.Space(), pandoc.Str("(")})
    label:extend(name)
    label:insert(pandoc.Str(")"))
  end
  label:insert(pandoc.Str("."))
  lead_with(blocks, pandoc.Emph(label))
  local last = blocks[#blocks]
  if class == "proof" and (last.t == "Para" or last.t == "Plain") then
    last.content:insert(pandoc.Space())
    last.content:insert(pandoc.Str("\u{25A1}"))
  end
  return pandoc.Div(blocks, pandoc.Attr(el.identifier, {class}))
end

-- Panels side by side (`layout-ncol=2`, `layout-nrow=1`, or one row when a figure div
-- holds figures of its own): a CSS grid on the site, a Typst grid in the PDF.
local function panel_grid(blocks, el)
  local count = #blocks
  local columns = tonumber(el.attributes["layout-ncol"] or "")
  local rows = tonumber(el.attributes["layout-nrow"] or "")
  if not columns then columns = rows and math.ceil(count / rows) or count end
  columns = math.max(1, math.min(columns, count))
  if typst then
    local out = pandoc.Blocks({pandoc.RawBlock("typst", "#grid(columns: " .. columns
      .. ", column-gutter: 1em, row-gutter: 1em,")})
    for _, block in ipairs(blocks) do
      out:insert(pandoc.RawBlock("typst", "["))
      out:insert(block)
      out:insert(pandoc.RawBlock("typst", "],"))
    end
    out:insert(pandoc.RawBlock("typst", ")"))
    return out
  end
  return enclosed("html", '<div class="panels" style="grid-template-columns: repeat('
    .. columns .. ', minmax(0, 1fr))">', blocks, "</div>")
end

-- "Table 2.1: caption" as a paragraph, for a table div that is not one table.
local function table_caption(el, caption)
  local target = targets[el.identifier]
  local line = pandoc.Inlines({pandoc.Span({pandoc.Str(
    (target and target.text or "Table") .. ":")}, {class = "caption-label"})})
  if caption[1] then
    line:insert(pandoc.Space())
    line:extend(caption[1].content)
  end
  return pandoc.Para(line)
end

-- `::: {#fig-x}` (or `#tbl-x`): the div's content with its last paragraph as the
-- caption, numbered like a figure (or table) of a cell.
local function float_div(el, kind)
  local blocks = pandoc.Blocks(el.content)
  local caption = {}
  if #blocks > 1 and blocks[#blocks].t == "Para" then
    caption = {pandoc.Plain(blocks[#blocks].content)}
    blocks:remove(#blocks)
  end
  if kind == "tbl" then
    local panels = 0
    for _, block in ipairs(blocks) do
      if block.t == "Table" and block.identifier ~= "" then panels = panels + 1 end
    end
    if panels > 0 then  -- subtables, side by side under the table's own caption
      local out = pandoc.Blocks({table_caption(el, caption)})
      out:extend(panel_grid(blocks, el))
      return pandoc.Div(out, pandoc.Attr(el.identifier, {"table-float"}))
    end
    for i, block in ipairs(blocks) do
      if block.t == "Table" then
        block.identifier = el.identifier
        if #caption > 0 then block.caption = {long = caption} end
        blocks[i] = Table(block)
        return blocks
      end
    end
    -- Something else shown as a table (text, an image): "Table 2.1: caption" above it.
    blocks:insert(1, table_caption(el, caption))
    return pandoc.Div(blocks, pandoc.Attr(el.identifier, {"table-float"}))
  end
  local panels = 0
  blocks:walk({Figure = function(inner)
    if inner.identifier ~= "" then panels = panels + 1 end
  end})
  if panels > 0 or el.attributes["layout-ncol"] or el.attributes["layout-nrow"] then
    blocks = panel_grid(blocks, el)
  else
    -- An image alone in a paragraph is a figure of its own: here it is the content.
    blocks = blocks:walk({Figure = function(inner) return inner.content end})
  end
  return Figure(pandoc.Figure(blocks, {long = caption}, pandoc.Attr(el.identifier)))
end

-- `::: {.panel-tabset}`: each heading of the div's first heading level opens a tab.
-- The site gets an ARIA tab list (page.html makes it work from keyboard and pointer;
-- printed, every panel shows); the PDF prints each panel under its tab's name in bold.
local tabsets = 0

local function tabset(el)
  local level
  for _, block in ipairs(el.content) do
    if block.t == "Header" then level = block.level break end
  end
  if not level then return nil end
  local tabs = {}
  for _, block in ipairs(el.content) do
    if block.t == "Header" and block.level == level then
      table.insert(tabs, {title = block.content, blocks = pandoc.Blocks({}),
                          active = block.classes:includes("active")})
    elseif #tabs > 0 then
      tabs[#tabs].blocks:insert(block)
    end
  end
  if typst then
    local out = pandoc.Blocks({})
    for _, tab in ipairs(tabs) do
      out:insert(pandoc.Para({pandoc.Strong(tab.title)}))
      out:extend(tab.blocks)
    end
    return out
  end
  tabsets = tabsets + 1
  local chosen = 1  -- the first tab, unless one heading says `{.active}`
  for i, tab in ipairs(tabs) do
    if tab.active then chosen = i break end
  end
  local buttons, panels = {}, pandoc.Blocks({})
  for i, tab in ipairs(tabs) do
    local id = "tabset-" .. tabsets .. "-" .. i
    local name = pandoc.write(pandoc.Pandoc({pandoc.Plain(tab.title)}), "html")
    table.insert(buttons, '<button type="button" role="tab" id="' .. id .. '-tab" '
      .. 'aria-controls="' .. id .. '" aria-selected="' .. tostring(i == chosen) .. '" '
      .. 'tabindex="' .. (i == chosen and "0" or "-1") .. '">' .. name:gsub("%s+$", "")
      .. "</button>")
    panels:extend(enclosed("html", '<div role="tabpanel" id="' .. id .. '" '
      .. 'aria-labelledby="' .. id .. '-tab" tabindex="0"' .. (i == chosen and "" or " hidden")
      .. ">", tab.blocks, "</div>"))
  end
  local out = pandoc.Blocks({pandoc.RawBlock("html", '<div class="panel-tabset">'
    .. '<div role="tablist">' .. table.concat(buttons) .. "</div>")})
  out:extend(panels)
  out:insert(pandoc.RawBlock("html", "</div>"))
  return out
end

-- `.content-visible when-format="html"` (or "pdf", "typst"), `.content-hidden`,
-- `unless-format`: the content goes to the outputs it is meant for.
local function shown_here(el)
  local visible = el.classes:includes("content-visible")
  if not visible and not el.classes:includes("content-hidden") then return nil end
  local when, unless = el.attributes["when-format"], el.attributes["unless-format"]
  local function matches(format)
    if not format then return nil end
    if typst then return format == "pdf" or format == "typst" end
    return format == "html" or format == "html:js"
  end
  local shown
  if when then shown = matches(when)
  elseif unless then shown = not matches(unless)
  else shown = true end
  if not visible then shown = not shown end
  return shown
end

local function for_format(el)
  local shown = shown_here(el)
  if shown == nil then return nil end
  return shown and el.content or {}
end

-- A span or a code block with `.content-visible` or `.content-hidden`.
local function inline_for_format(el)
  local shown = shown_here(el)
  if shown == nil then return nil end
  if not shown then return {} end
  return el.t == "Span" and el.content or el
end

-- Code folded under a summary (`code-fold: true`): a disclosure on the site; the PDF
-- prints the code.
local function code_fold(el)
  if typst then return el.content end
  local summary = escape_html(el.attributes["summary"] or "Code")
  return enclosed("html", '<details class="code-fold"' .. (el.attributes["open"] and " open"
    or "") .. "><summary>" .. summary .. "</summary>", el.content, "</details>")
end

-- `::: {.list-table}` (pandoc's list-table syntax, which Quarto reads): a list of rows,
-- each a list of cells, becomes a table; a paragraph before or after the list is its
-- caption (a `{tbl-colwidths=...}` at its end is dropped); `header-rows` (default 0).
local function list_table(el)
  local rows, caption = nil, {}
  for _, block in ipairs(el.content) do
    if block.t == "BulletList" and not rows then
      rows = block.content
    elseif block.t == "Para" then
      local words = pandoc.Inlines(block.content)
      while #words > 0 and (words[#words].t == "Space"
          or pandoc.utils.stringify(words[#words]):match("^{tbl%-colwidths")
          or pandoc.utils.stringify(words[#words]):match("%]}$")) do
        words:remove(#words)
      end
      caption = {pandoc.Plain(words)}
    end
  end
  if not rows then return nil end
  local cells = {}
  for _, row in ipairs(rows) do
    local line = {}
    local list = row[1]
    if list and list.t == "BulletList" then
      for _, cell in ipairs(list.content) do table.insert(line, cell) end
    else
      table.insert(line, row)
    end
    table.insert(cells, line)
  end
  local width = 0
  for _, line in ipairs(cells) do width = math.max(width, #line) end
  local heads = tonumber(el.attributes["header-rows"] or "0") or 0
  local header = heads > 0 and table.remove(cells, 1) or {}
  local aligns, widths = {}, {}
  for i = 1, width do aligns[i], widths[i] = pandoc.AlignDefault, 0 end
  local simple = pandoc.SimpleTable(caption[1] and caption[1].content or {}, aligns, widths,
                                    header, cells)
  local result = pandoc.utils.from_simple_table(simple)
  result.identifier = el.identifier
  return Table(result)
end

local function Div(el)
  if el.classes:includes("list-table") then return list_table(el) end
  if el.classes:includes("panel-tabset") then return tabset(el) end
  if el.classes:includes("code-fold") then return code_fold(el) end
  local chosen = for_format(el)
  if chosen then return chosen end
  if el.classes:includes("chart-source") then return chart_source(el) end
  if el.classes:includes("chart-data") then return chart_data(el) end
  if el.classes:includes("key-figures") then return key_figures(el) end
  local prefix = el.identifier ~= "" and kind_of(el.identifier)
  if prefix and THEOREMS[prefix] then return theorem(el, prefix) end
  if prefix == "fig" or prefix == "tbl" then return float_div(el, prefix) end
  if el.attributes["layout-ncol"] or el.attributes["layout-nrow"] then
    return panel_grid(pandoc.Blocks(el.content), el)
  end
  for class in pairs(UNNUMBERED) do
    if el.classes:includes(class) then return unnumbered(el, class) end
  end
  local kind
  for _, class in ipairs(el.classes) do
    local match = class:match("^callout%-(%a+)$")
    if match and CALLOUTS[match] then kind = match end
  end
  local plain = not kind and el.classes:includes("callout")  -- Quarto's untyped callout
  if not kind and not plain then return nil end
  local title, body = callout_title(el, kind)
  kind = kind or "note"
  local target = targets[el.identifier]
  if target then  -- a callout one can refer to: "Note 2.1: its title"
    local numbered = pandoc.Inlines({pandoc.Str(target.text .. (title and ":" or ""))})
    if title then
      numbered:insert(pandoc.Space())
      numbered:extend(title)
    end
    title = numbered
  end
  -- As in Quarto, an untyped callout is "simple" (no title band) unless told otherwise.
  local appearance = el.attributes["appearance"] or (plain and "simple" or "default")
  if typst then
    local title_typst = "none"
    if title then
      title_typst = "[" .. pandoc.write(pandoc.Pandoc({pandoc.Plain(title)}), "typst")
        :gsub("%s+$", "") .. "]"
    end
    return enclosed("typst",
      '#callout(kind: "' .. kind .. '", appearance: "' .. appearance .. '", title: '
        .. title_typst .. ")[", body,
      "]" .. (el.identifier ~= "" and (" <" .. el.identifier .. ">") or ""))
  end
  local classes = plain and {"callout"} or {"callout", "callout-" .. kind}
  if appearance == "minimal" or appearance == "simple" then
    table.insert(classes, "callout-" .. appearance)
  end
  local collapse = el.attributes["collapse"]
  if collapse == "true" or collapse == "false" then
    -- Quarto's folding callout: a disclosure on the site (the PDF prints it open).
    local summary = pandoc.write(pandoc.Pandoc({pandoc.Plain(
      title or pandoc.Inlines({pandoc.Str(CALLOUTS[kind])}))}), "html")
    local opening = '<details class="' .. table.concat(classes, " ") .. '"'
      .. (el.identifier ~= "" and (' id="' .. escape_html(el.identifier) .. '"') or "")
      .. (collapse == "false" and " open" or "") .. '><summary class="callout-title">'
      .. summary:gsub("%s+$", "") .. "</summary>"
    return enclosed("html", opening, {pandoc.Div(body, {class = "callout-body"})},
                    "</details>")
  end
  local content = pandoc.Div(body, {class = "callout-body"})
  local attr = pandoc.Attr(el.identifier, classes,
                           {role = kind == "important" and "region" or "note"})
  if not title then return pandoc.Div({content}, attr) end
  local heading = pandoc.Div({pandoc.Plain(title)}, {class = "callout-title"})
  return pandoc.Div({heading, content}, attr)
end

-- A code block labelled `lst-x` (with `lst-cap`): "Listing 2.1: caption" above it, the
-- two in a div that carries the id (Typst keeps no label on a bare code block).
local function CodeBlock(el)
  local chosen = inline_for_format(el)
  if chosen ~= nil then return chosen end
  if el.identifier == "" or kind_of(el.identifier) ~= "lst" then return nil end
  local target = targets[el.identifier]
  local caption = pandoc.Inlines({pandoc.Strong({pandoc.Str(
    (target and target.text or "Listing") .. ":")})})
  local text = el.attributes["lst-cap"]
  if text then
    caption:insert(pandoc.Space())
    caption:extend(pandoc.read(text, "markdown").blocks[1].content)
  end
  local id = el.identifier
  local below = el.attributes["lst-cap-location"] == "bottom"
  el.identifier = ""
  el.attributes["lst-cap"] = nil
  el.attributes["lst-cap-location"] = nil
  local blocks = below and {el, pandoc.Para(caption)} or {pandoc.Para(caption), el}
  return pandoc.Div(blocks, pandoc.Attr(id, {"listing"}))
end

-- `@fig-x`, `[@tbl-y]`, `@sec-z`: a link whose text is the target's label.
-- `@Fig-x` (capitalised, to start a sentence) names the same target as `@fig-x`.
local function xref_id(id)
  return id:sub(1, 1):lower() .. id:sub(2)
end

local function Cite(el)
  for _, citation in ipairs(el.citations) do
    if not is_xref(xref_id(citation.id)) then return nil end
  end
  local out = pandoc.Inlines({})
  for i, citation in ipairs(el.citations) do
    if i > 1 then out:insert(pandoc.Str(", ")) end
    local target = targets[xref_id(citation.id)]
    if target then
      -- As in Quarto: `[-@fig-x]` is the number alone, `[Fig. @fig-x]` the number
      -- after the author's own word; otherwise "Figure 2.1".
      local label = pandoc.Inlines({})
      if #citation.prefix > 0 then  -- the author's word is part of the link
        label:extend(citation.prefix)
        label:insert(pandoc.Space())
        label:insert(pandoc.Str(target.number))
      elseif citation.mode == "SuppressAuthor" then
        label:insert(pandoc.Str(target.number))
      else
        label:insert(pandoc.Str(target.text))
      end
      if target.absent then  -- shown only in the other output: named, not linked
        out:extend(label)
      else
        out:insert(pandoc.Link(label, target.href, "", {class = "xref"}))
      end
      out:extend(citation.suffix)
    else
      out:insert(pandoc.Strong({pandoc.Str("?@" .. citation.id)}))
    end
  end
  return out
end

-- Math. The site gets MathML from pandoc's HTML writer. In Typst, every equation is
-- written as a `math.equation` call with its TeX as alt text, which PDF/UA requires
-- (Typst refuses an equation without one). A display equation followed by `{#eq-x}`
-- (Quarto's syntax) carries the number computed for it and is the target of `@eq-x`.
local function typst_math(el, target)
  local body = pandoc.write(pandoc.Pandoc({pandoc.Plain({el})}), "typst"):gsub("%s+$", "")
  -- TeX that pandoc cannot convert comes back as text, not as `$...$`: print the TeX
  -- as code rather than fail the whole PDF (the site's build warns of the formula).
  if not body:match("^%$") then return pandoc.Code(el.text) end
  local display = el.mathtype == "DisplayMath"
  local call = "#math.equation(block: " .. tostring(display)
    .. (target and (', numbering: _ => "(' .. target.number .. ')"') or "")
    .. ", alt: " .. typst_string((el.text:gsub("^%s+", ""):gsub("%s+$", ""))) .. ", "
    .. body .. ".body)"
  return pandoc.RawInline("typst", call)
end

-- The label after a display equation: `{#eq-x}`, or `{#eq-x alt="..."}` (which pandoc
-- reads as several words): its id and how many inlines it takes.
local function equation_label(inlines, i)
  local start = i + 1
  if inlines[start] and inlines[start].t == "Space" then start = start + 1 end
  local first = inlines[start]
  if not (first and first.t == "Str") then return nil, 0 end
  local id = first.text:match("^{#(eq%-[%w_%-%.:]+)}$")
  if id then return id, start - i end
  id = first.text:match("^{#(eq%-[%w_%-%.:]+)$")
  if not id then return nil, 0 end
  for j = start + 1, math.min(#inlines, start + 40) do
    local item = inlines[j]
    if item.t == "Str" and item.text:match("}$") then return id, j - i end
    if item.t == "Quoted" and inlines[j + 1] and inlines[j + 1].t == "Str"
        and inlines[j + 1].text == "}" then
      return id, j + 1 - i
    end
  end
  return nil, 0
end

local function Maths(inlines)
  local out = pandoc.Inlines({})
  local i = 1
  local changed = false
  while i <= #inlines do
    local el = inlines[i]
    if el.t == "Math" then
      changed = true
      local id, skip = nil, 0
      if el.mathtype == "DisplayMath" then id, skip = equation_label(inlines, i) end
      local target = id and targets[id]
      if typst then
        out:insert(typst_math(el, target))
        if id then out:insert(pandoc.RawInline("typst", " <" .. id .. ">")) end
      elseif id then
        out:insert(pandoc.Span({el, pandoc.Span({pandoc.Str(
          "(" .. (target and target.number or "?") .. ")")}, {class = "equation-number"})},
          pandoc.Attr(id, {"equation"})))
      else
        out:insert(el)
      end
      i = i + 1 + skip
    else
      out:insert(el)
      i = i + 1
    end
  end
  return changed and out or nil
end

-- `{{< kbd ... >}}`: keys to press, as <kbd> on the site and in monospace in the PDF.
local function Span(el)
  local chosen = inline_for_format(el)
  if chosen ~= nil then return chosen end
  if not el.classes:includes("kbd") then return nil end
  local keys = pandoc.utils.stringify(el.content)
  if typst then return pandoc.Code(keys) end
  return pandoc.RawInline("html", "<kbd>" .. escape_html(keys) .. "</kbd>")
end

-- A citation that citeproc linked to the reference list (`#ref-key`): a factsheet's
-- PDF has no list, so there it stays text.
local function Link(el)
  if typst and el.target:match("^#ref%-") then return el.content end
  -- A link marked as a reference (`reference-type`, as pandoc's LaTeX reader and
  -- pandoc-crossref write them) would become Typst's @label, which fails on a figure
  -- that Typst does not number (brief numbers them itself): keep it a link.
  if el.attributes["reference-type"] then
    el.attributes["reference-type"] = nil
    el.attributes["reference"] = nil
    return el
  end
  -- A file the build copied into the site (brief.render.images): from this page.
  if not typst and el.target:match("^media/") then
    el.target = root .. el.target
    return el
  end
  return nil
end

-- To JSON (a page resolved once for both targets, then given to citeproc): only the
-- cross-references, whose links are the same in both when they stay within the page.
if FORMAT == "json" then
  return {{Meta = load}, {Cite = Cite}}
end

return {
  {Meta = load},
  {Header = Header, Figure = Figure, Table = Table, Div = Div, Cite = Cite, Link = Link,
   CodeBlock = CodeBlock},
  {Inlines = Maths, Image = Image, Span = Span},
  {Inlines = Inlines},
}
