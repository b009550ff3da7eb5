// The ceiling for POST /api/sms: a bare Express JSON endpoint that parses the body and answers 202.
import express from 'express';

const app = express();
app.use(express.json({ limit: '16kb' }));
app.post('/api/sms', (req, res) => {
  res.status(202).json({ id: 'x', status: 'queued', echo: typeof req.body });
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`LISTENING ${typeof address === 'object' && address ? address.port : 0}`);
});
