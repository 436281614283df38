// Excel import with one bad row, then export of a filtered list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { launch, loginPage, api, DESKTOP } from './helpers.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function importFile(rows) {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('企业导入');
  ws.addRow(['企业名称*', '统一社会信用代码*', '所属辖区*', '所属网格', '行业领域*', '从业人数']);
  rows.forEach((r) => ws.addRow(r));
  const path = join(await mkdtemp(join(tmpdir(), 'anjian-e2e-')), '企业导入.xlsx');
  await wb.xlsx.writeFile(path);
  return path;
}

test('import reports the bad row and imports nothing, then imports the good row on request', async () => {
  const file = await importFile([
    ['浏览器导入甲有限公司', '9144030071526726XG', '春江街道', '', '燃气', 20],
    ['浏览器导入乙有限公司', '9144030071526726XH', '春江街道', '', '燃气', 30],
  ]);
  const before = (await api('station', '/api/v1/enterprises')).body.total;
  const { context, page } = await loginPage(browser, 'station', DESKTOP);
  await page.goto(`${new URL(page.url()).origin}/enterprises`);
  await page.getByTestId('import-btn').click();
  await page.locator(':is(input[data-testid="import-file-input"], [data-testid="import-file-input"] input)').setInputFiles(file);
  await page.getByTestId('import-submit').click();
  const errors = page.getByTestId('import-errors');
  await errors.getByText('统一社会信用代码').first().waitFor();
  await errors.getByText('校验位').first().waitFor();
  await errors.getByRole('cell', { name: '3', exact: true }).first().waitFor();
  assert.equal((await api('station', '/api/v1/enterprises')).body.total, before, 'all or nothing');
  // The error workbook: the bad row as uploaded, with its reason.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('import-errors-download').click()]);
  const errBook = new ExcelJS.Workbook();
  await errBook.xlsx.readFile(await download.path());
  const sheet = errBook.worksheets[0];
  const header = sheet.getRow(1).values.filter(Boolean);
  assert.equal(header.at(-1), '错误原因');
  assert.equal(sheet.rowCount, 2, 'header and the one bad row');
  assert.equal(sheet.getRow(2).getCell(3).value, '9144030071526726XH');
  assert.match(String(sheet.getRow(2).getCell(header.length).value), /统一社会信用代码：.*校验位/);

  await page.getByTestId('import-partial').click();
  await page.getByTestId('import-submit').click();
  await page.getByTestId('import-result').filter({ hasText: /成功导入\s*1/ }).waitFor();
  assert.equal((await api('station', '/api/v1/enterprises')).body.total, before + 1);
  const found = (await api('station', '/api/v1/enterprises?q=浏览器导入甲')).body;
  assert.equal(found.items[0].employees, 20);
  await context.close();
});

test('export downloads the filtered rows as an Excel file', async () => {
  const expected = (await api('committee', '/api/v1/enterprises?page_size=200&q=安泰')).body;
  const { context, page } = await loginPage(browser, 'committee', DESKTOP);
  await page.goto(`${new URL(page.url()).origin}/enterprises`);
  await page.locator(':is(input[data-testid="filter-q"], [data-testid="filter-q"] input)').fill('安泰');
  await page.getByTestId('search-btn').click();
  await page.getByTestId('pager-total').filter({ hasText: `共 ${expected.total}` }).waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-btn').click()]);
  const path = await download.path();
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(await readFile(path));
  const ws = wb.worksheets[0];
  assert.equal(ws.getRow(1).getCell(1).value, '企业名称');
  assert.equal(ws.actualRowCount - 1, expected.total);
  const names = [];
  for (let r = 2; r <= ws.actualRowCount; r++) names.push(ws.getRow(r).getCell(1).value);
  assert.deepEqual(names.sort(), expected.items.map((e) => e.name).sort());
  await context.close();
});
