--[[
worker.lua: one long-lived pandoc that converts many documents (`pandoc lua worker.lua`).

Why: a build converts a few hundred documents (every chapter and factsheet is parsed,
written to HTML and to Typst); starting pandoc for each costs 0.1-0.2 s, more than the
conversion. brief.render.pandoc keeps one worker per core and sends it jobs.

Started as `pandoc lua worker.lua PANDOC`, where PANDOC is the path of pandoc itself:
the worker asks it once for its default abbreviations ("No.", "Mr."...), which the
pandoc command gives its Markdown reader (a non-breaking space follows them) and
pandoc.read does not.

Protocol: one JSON job per line on stdin, one JSON answer per line on stdout.
Job: {text, from, to, wrap ("none" | "preserve" | null), filter (path of a Lua filter
or null), bibliography (path or null: run citeproc after the filter), drop_list (true:
remove the reference list citeproc wrote, keeping its links from the citations)}.
Answer: {output} or {error}, with warnings: [text of each WARNING pandoc logged].
--]]

local WRAP = {none = "wrap-none", preserve = "wrap-preserve"}

-- JSON null arrives as pandoc.json.null, not nil.
local function given(value)
  if value == nil or value == pandoc.json.null then return nil end
  return value
end

-- A filter is loaded afresh for each job: its file-level state (the cross-reference
-- targets it reads from the document's metadata) must not leak from one page to the next.
local function apply_filter(doc, path, format)
  FORMAT = format
  local chunk = assert(loadfile(path))
  local filters = chunk()
  for _, filter in ipairs(filters) do
    doc = doc:walk(filter)
  end
  return doc
end

local ABBREVIATIONS = {}
for line in pandoc.pipe(arg[1], {"--print-default-data-file", "abbreviations"}, "")
    :gmatch("[^\n]+") do
  ABBREVIATIONS[line] = true  -- a set: the reader option takes the keys
end

local function convert(job)
  local doc = pandoc.read(job.text, job.from, {abbreviations = ABBREVIATIONS})
  if given(job.filter) then
    doc = apply_filter(doc, job.filter, job.to:match("^[%w]+"))
  end
  if given(job.bibliography) then
    doc.meta.bibliography = job.bibliography
    doc = pandoc.utils.citeproc(doc)
    if given(job.drop_list) then
      doc.blocks = doc.blocks:filter(function(block)
        return not (block.t == "Div" and block.identifier == "refs")
      end)
    end
  end
  local options = {}
  if given(job.wrap) then options.wrap_text = WRAP[job.wrap] end
  -- Math as MathML, which browsers draw themselves: no script, no fonts to fetch.
  if job.to:match("^html") then options.html_math_method = "mathml" end
  -- As the pandoc command does, end the output with a line break.
  return pandoc.write(doc, job.to, options) .. "\n"
end

local function answer(job)
  local messages, ok, result = pandoc.log.silence(pcall, convert, job)
  local warnings = {}
  for _, message in ipairs(messages) do
    local fields = pandoc.json.decode(pandoc.json.encode(message), false)
    if fields.verbosity == "WARNING" then table.insert(warnings, fields.pretty) end
  end
  if ok then
    return {output = result, warnings = warnings}
  end
  return {error = tostring(result), warnings = warnings}
end

for line in io.lines() do
  local ok, job = pcall(pandoc.json.decode, line, false)
  local reply = ok and answer(job) or {error = "unreadable job: " .. tostring(job), warnings = {}}
  io.stdout:write(pandoc.json.encode(reply), "\n")
  io.stdout:flush()
end
